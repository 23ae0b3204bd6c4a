// The ES module for bundlers: `import { tagway } from "tagway-web"; tagway("boot", {...})`.
import { createTagway } from "./core.js";

export { createTagway };

let instance;

/** The page's tagway command function (made on first call, so that importing it on a server does nothing). */
export function tagway(...args) {
  instance = instance || window.tagway && window.tagway.loaded && window.tagway || createTagway(window);
  return instance(...args);
}
