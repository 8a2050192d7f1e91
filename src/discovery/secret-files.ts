import path from 'node:path';
import type { SourceResult, TokenSource } from './types.ts';

/**
 * The token in a file: each folder of ENVSYNC_SECRET_DIRS × each name of ENVSYNC_SECRET_FILENAMES
 * that starts with the provider's name (`render.token` for Render), first one found wins. Render
 * mounts secret files at /etc/secrets; content is trimmed, and an empty file is a miss with a warning.
 */
export const secretFilesSource: TokenSource = {
  kind: 'secret_files',
  async lookup(request, context): Promise<SourceResult> {
    const { secretDirs, secretFileNames } = context.settings.discovery;
    const names = secretFileNames.filter((name) => name.toLowerCase().startsWith(request.provider));
    const looked: string[] = [];
    const warnings: string[] = [];
    for (const dir of secretDirs) {
      for (const name of names) {
        const file = path.join(dir, name);
        let content: string;
        try {
          content = await context.readFile(file);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
          looked.push(`${file} (${code === 'ENOENT' ? 'not found' : code})`);
          if (code !== 'ENOENT') warnings.push(`${file} could not be read (${code})`);
          continue;
        }
        const token = content.trim();
        if (token !== '') {
          const source = `secret_file:${file}`;
          return warnings.length > 0 ? { found: true, token, source, warning: warnings.join('; ') } : { found: true, token, source };
        }
        looked.push(`${file} (empty)`);
        warnings.push(`${file} is empty`);
      }
    }
    if (names.length === 0) looked.push(`secret files (no name in ENVSYNC_SECRET_FILENAMES starts with "${request.provider}")`);
    return warnings.length > 0 ? { found: false, looked, warning: warnings.join('; ') } : { found: false, looked };
  },
};
