import {
  LayersmithBuildError, LayersmithError, LayersmithInspectError, LayersmithPackError, LayersmithValidationError,
  deserializeError, serializeError,
} from '../../lib/core/errors';

describe('LayersmithError', () => {
  test.each([
    [LayersmithValidationError, 'validation'],
    [LayersmithBuildError, 'build'],
    [LayersmithPackError, 'pack'],
    [LayersmithInspectError, 'inspect'],
  ] as const)('%p survives a round trip through JSON with its class, code and paths', (Cls, kind) => {
    // GIVEN an error with every detail
    const err = new Cls('SOME_RULE', 'Stack/L: what, where, the fix', { constructPath: 'Stack/L', path: '/tmp/x' });

    // WHEN it crosses a process boundary as JSON
    const back = deserializeError(JSON.parse(JSON.stringify(serializeError(err))));

    // THEN it is the same class with the same fields
    expect(back).toBeInstanceOf(Cls);
    expect(back).toBeInstanceOf(LayersmithError);
    const ls = back as LayersmithError;
    expect([ls.kind, ls.code, ls.message, ls.constructPath, ls.path, ls.name]).toEqual([kind, 'SOME_RULE', err.message, 'Stack/L', '/tmp/x', Cls.name]);
  });

  test('a plain Error stays a plain Error with its name and message', () => {
    const err = new TypeError('boom');
    const back = deserializeError(serializeError(err));
    expect(back).not.toBeInstanceOf(LayersmithError);
    expect([back.name, back.message]).toEqual(['TypeError', 'boom']);
  });

  test('a thrown non-Error value becomes an Error with its text', () => {
    expect(deserializeError(serializeError('just a string')).message).toBe('just a string');
  });
});
