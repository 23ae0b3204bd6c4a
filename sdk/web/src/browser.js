// The script the gateway serves: replaces the snippet's queue stub and replays the calls it kept.
import { createTagway } from "./core.js";

const stub = window.tagway;
if (!stub || !stub.loaded) {
  const tagway = createTagway(window);
  tagway.loaded = true;
  window.tagway = tagway;
  ((stub && stub.q) || []).forEach((args) => tagway.apply(null, args));
}
