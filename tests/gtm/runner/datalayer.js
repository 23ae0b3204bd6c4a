'use strict';
// A page's dataLayer as GTM processes it, for real mode: each push is kept in the array (objects
// marked with their gtm.uniqueEventId, gtag() Arguments kept as arrays and not marked), and merged
// into one data model the way GTM does — recursively, arrays element by element, so an earlier
// push's items stay unless `{ecommerce: null}` resets them. The event-scoped keys (event,
// eventModel, gtm.uniqueEventId) always describe the push being processed.

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** `{'gtm.uniqueEventId': 3}` → `{gtm: {uniqueEventId: 3}}`: dotted keys are paths in GTM's model. */
function expandDots(object) {
  const expanded = {};
  for (const key of Object.keys(object)) {
    const parts = key.split('.');
    let target = expanded;
    parts.slice(0, -1).forEach((part) => {
      if (!isPlainObject(target[part])) target[part] = {};
      target = target[part];
    });
    target[parts[parts.length - 1]] = isPlainObject(object[key]) ? expandDots(object[key]) : object[key];
  }
  return expanded;
}

/** GTM's recursive merge: objects and arrays merge key by key / index by index; anything else replaces. */
function mergeInto(target, source) {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) mergeInto(current, value);
    else if (Array.isArray(value) && Array.isArray(current)) mergeInto(current, value);
    else target[key] = clone(value);
  }
}

class DataLayer {
  constructor() {
    this.entries = []; // what window.dataLayer holds
    this.model = {}; // what copyFromDataLayer reads
    this.lastId = 0;
  }

  /** Processes one push; {id, event} of the message the tags fire for. */
  push(value) {
    const id = Array.isArray(value) ? this.lastId + 1
      : (typeof value['gtm.uniqueEventId'] === 'number' ? value['gtm.uniqueEventId'] : this.lastId + 1);
    this.lastId = Math.max(this.lastId, id);
    delete this.model.event;
    delete this.model.eventModel;
    let event;
    if (Array.isArray(value)) {
      this.entries.push(clone(value)); // an Arguments object: GTM cannot mark it
      if (value[0] === 'event') {
        event = value[1];
        this.model.event = event;
        this.model.eventModel = clone(isPlainObject(value[2]) ? value[2] : {});
      } else if (value[0] === 'set' && isPlainObject(value[1])) {
        mergeInto(this.model, expandDots(value[1]));
      }
    } else {
      const entry = Object.assign(clone(value), { 'gtm.uniqueEventId': id });
      this.entries.push(entry);
      mergeInto(this.model, expandDots(entry));
      event = typeof value.event === 'string' ? value.event : undefined;
    }
    mergeInto(this.model, { gtm: { uniqueEventId: id } });
    return { id, event };
  }
}

module.exports = { DataLayer, mergeInto, expandDots };
