/**
 * Property tests: random seeds on a developer's machine (new cases every run), a fixed seed in
 * CI so a landing never depends on the draw. A failure prints its seed to replay it.
 */
import fc from 'fast-check';

if (process.env.CI) fc.configureGlobal({ seed: 20_261_129 });
