/** Absolute path of the built assets (`index.html`, `assets/…`, with `.gz` twins). */
export declare const assetsDir: string;
