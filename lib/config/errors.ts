/** Configuration errors: one message that names every bad field and where it came from. */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, readonly fields: string[] = []) {
    super(message);
  }
}
