import * as path from 'path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { FunctionWithLayers, LayerGrant, LayerSource, RuntimeLayer } from 'layersmith/aws-cdk';

const root = path.join(__dirname, '..');

/** Properties of the example platform stack. */
export interface OrdersPlatformStackProps extends StackProps {
  /** Account of the analytics team, which runs its own functions on our Python layer. */
  readonly analyticsAccount: string;
  /** The company's AWS Organization, whose accounts all use our Node.js layer. */
  readonly organizationId: string;
}

/**
 * What a platform team ships: shared layers (Python and Node.js dependencies, operational tools)
 * and two services whose functions stack them in a deliberate order.
 */
export class OrdersPlatformStack extends Stack {
  constructor(scope: Construct, id: string, props: OrdersPlatformStackProps) {
    super(scope, id, props);

    // Python dependencies from the team's own wheels (an internal index in real life; a local
    // wheel directory here, so the example builds offline).
    const pythonDeps = new RuntimeLayer(this, 'PythonDeps', {
      source: LayerSource.python({
        requirements: path.join(root, 'layers/python/requirements.txt'),
        findLinks: [path.join(root, 'layers/python/wheels')],
        noIndex: true,
      }),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      layerName: 'acme-python-deps',
      description: 'acme-pricing and acme-money for the order services',
      license: 'Apache-2.0',
      grants: [LayerGrant.account(props.analyticsAccount)],
    });

    // Node.js dependencies from package.json + package-lock.json, installed for Linux arm64.
    const nodeDeps = new RuntimeLayer(this, 'NodeDeps', {
      source: LayerSource.node({ packageDir: path.join(root, 'layers/node') }),
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      layerName: 'acme-node-deps',
      description: 'ms for the notifier functions',
      license: 'Apache-2.0',
      grants: [LayerGrant.organization(props.organizationId)],
    });

    // Shell tools on PATH (/opt/bin) for every runtime and architecture.
    const tools = new RuntimeLayer(this, 'Tools', {
      source: LayerSource.fromDirectory(path.join(root, 'layers/tools')),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12, lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.X86_64, lambda.Architecture.ARM_64],
      layerName: 'acme-tools',
      description: 'healthcheck and layer-info',
    });

    // The operations team's override of bin/healthcheck for the order service. It shadows the
    // tools layer's copy on purpose; synth shows the warning with the winner.
    const opsOverrides = new RuntimeLayer(this, 'OpsOverrides', {
      source: LayerSource.fromDirectory(path.join(root, 'layers/ops-overrides')),
      compatibleRuntimes: [lambda.Runtime.PYTHON_3_12],
      layerName: 'acme-orders-ops',
      description: 'healthcheck override for the order service',
    });

    new FunctionWithLayers(this, 'PriceOrder', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'handler.handler',
      code: lambda.Code.fromAsset(path.join(root, 'functions/orders')),
      timeout: Duration.seconds(10),
      environment: { ORDERS_TABLE: 'orders' },
      // Deployment order: a later layer overwrites files of an earlier one.
      layers: [pythonDeps, tools, opsOverrides],
    });

    new FunctionWithLayers(this, 'Notifier', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(root, 'functions/notifier')),
      timeout: Duration.seconds(5),
      layers: [nodeDeps, tools],
    });
  }
}
