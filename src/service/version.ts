import packageJson from '../../package.json' with { type: 'json' };

/** EnvSync's version, from package.json (bundled into the functions at build time). */
export const version: string = packageJson.version;
