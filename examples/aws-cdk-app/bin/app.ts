import { App } from 'aws-cdk-lib';
import { OrdersPlatformStack } from '../src/orders-platform-stack';

// Environment-agnostic on purpose: the example synthesizes offline, without credentials or lookups.
const app = new App();
new OrdersPlatformStack(app, 'OrdersPlatform', {
  analyticsAccount: '111122223333',
  organizationId: 'o-a1b2c3d4e5',
  description: 'layersmith example: shared Lambda layers and two functions with ordered stacks',
});
app.synth();
