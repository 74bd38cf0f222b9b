/** `@flotilla/director` — tickets in, reviewed branches out. */
export {};
