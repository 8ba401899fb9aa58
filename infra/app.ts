/** The CDK app (cdk.json runs it with tsx). Context: see infra/config.ts and infra/README.md. */
import { buildApp } from './build-app';

buildApp().app.synth();
