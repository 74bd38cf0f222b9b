/**
 * Compiles a path glob (`*`, `**`, `?`, `{a,b}`) to a RegExp over repo-relative `/` paths. A glob
 * without a `/` matches the file name anywhere (`*.ts`), as in `.gitignore` and `rg -g`.
 */
export function globToRegExp(glob: string): RegExp {
  const anchored = glob.includes('/') ? glob.replace(/^\//, '') : `**/${glob}`;
  let source = '';
  for (let i = 0; i < anchored.length; i++) {
    const char = anchored[i] as string;
    if (char === '*' && anchored[i + 1] === '*') {
      const slash = anchored[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') source += '(?:';
    else if (char === '}') source += ')';
    else if (char === ',') source += '|';
    else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}(?:/.*)?$`);
}
