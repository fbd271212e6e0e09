const ms = require('ms');

exports.handler = async () => ({ message: `layers are cached for ${ms(60 * 60 * 1000, { long: true })}` });
