// Formats a notification delay with `ms`, which comes from the Node.js dependency layer
// (/opt/nodejs/node_modules is on the Lambda module path).
const ms = require('ms');

exports.handler = async (event) => {
  const delay = ms(event.delay || '5m');
  return { statusCode: 200, body: JSON.stringify({ delayMs: delay, human: ms(delay, { long: true }) }) };
};
