import { createOrderServiceApp } from './createOrderServiceApp.js';

// `cdk synth|deploy` (cdk.json runs this with tsx) and `cdklocal deploy` for LocalStack.
createOrderServiceApp().app.synth();
