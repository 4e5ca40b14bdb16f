#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader: no build step between a clone and `npx candlelake`.
import { register } from 'tsx/esm/api';

register();
await import('../lib/cli/main.ts');
