import * as pulumi from '@pulumi/pulumi';

/** One resource the program registered, with its inputs and the options the engine would see. */
export interface CapturedResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, any>;
  /** Name of the parent resource ('' for a top-level one). */
  readonly parent: string;
  /** Type of the parent resource ('' for a top-level one). */
  readonly parentType: string;
  readonly retainOnDelete?: boolean;
}

export const ACCOUNT = '123456789012';

/**
 * Installs Pulumi's documented unit-test mocks and records every registered resource: inputs
 * through `newResource`, options (parent, retainOnDelete) from the registration request the mock
 * monitor receives. Provider outputs are filled the way the providers report them.
 */
export async function installMocks(options: { preview?: boolean; config?: Record<string, string> } = {}): Promise<CapturedResource[]> {
  const captured: CapturedResource[] = [];
  const requests = new Map<string, { parent: string; retainOnDelete?: boolean }>();
  if (options.config) pulumi.runtime.setAllConfig(options.config);
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      const req = requests.get(`${args.type}::${args.name}`);
      const parentUrn = req?.parent ?? '';
      const parentQualified = parentUrn ? parentUrn.split('::')[2] : '';
      captured.push({
        type: args.type,
        name: args.name,
        custom: args.custom ?? false,
        inputs: args.inputs,
        parent: parentUrn ? parentUrn.split('::').pop()! : '',
        parentType: parentQualified ? parentQualified.split('$').pop()! : '',
        ...(req?.retainOnDelete !== undefined ? { retainOnDelete: req.retainOnDelete } : {}),
      });
      return { id: `${args.name}-id`, state: { ...args.inputs, ...providerOutputs(args.type, args.name, args.inputs) } };
    },
    call: (args) => args.inputs,
  }, 'layersmith-test', 'test', options.preview ?? false);

  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: any, cb: any) => unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: any) => {
    requests.set(`${req.getType()}::${req.getName()}`, {
      parent: req.getParent(),
      ...(req.getRetainondelete() !== undefined ? { retainOnDelete: req.getRetainondelete() } : {}),
    });
    return register(req, cb);
  };
  return captured;
}

function providerOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case 'aws:lambda/layerVersion:LayerVersion': {
      const layerArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:${inputs.layerName}`;
      return { layerArn, arn: `${layerArn}:7`, version: '7' };
    }
    case 'aws:lambda/function:Function':
      return { arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`, name };
    case 'alicloud:fc/v3LayerVersion:V3LayerVersion':
      return { layerVersionArn: `acs:fc:cn-hangzhou:1234567890123456:layers/${inputs.layerName}/versions/3`, version: '3' };
    case 'alicloud:fc/v3Function:V3Function':
      return { functionArn: `acs:fc:cn-hangzhou:1234567890123456:functions/${inputs.functionName ?? name}`, functionName: inputs.functionName ?? name };
    default:
      return {};
  }
}

/**
 * Ends the program's declarations the way Node does when a program has nothing left to do
 * (`beforeExit`), which is where a Pulumi program's runtime takes its declarations as complete.
 * Jest keeps its own work on the event loop, so a test that waits for results signals it itself.
 */
export function endOfDeclarations(): void {
  process.emit('beforeExit', 0);
}

/**
 * The value of an Output once the program resolved it (rejects with the program's error). The
 * test waits for it, so the program's declarations so far are complete.
 */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  endOfDeclarations();
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Resources of one provider type, in registration order. */
export function ofType(captured: readonly CapturedResource[], type: string): CapturedResource[] {
  return captured.filter((r) => r.type === type);
}
