// Types of tagway.js, the browser SDK of the tagway event gateway.

export type Properties = Record<string, string | number | boolean | null | Array<string | number | boolean | null | Record<string, string | number | boolean | null>>>;
export type ConsentState = "granted" | "denied" | "pending";

export interface BootOptions {
  /** The source's write key (printed by `tagway sources add web`). */
  writeKey: string;
  /** The gateway's URL, e.g. https://events.shop.com (default: this page's origin). */
  endpoint?: string;
  /** The site's member id; with `memberHash` when the source requires it. */
  memberId?: string;
  /** Hex HMAC-SHA256 of memberId with the source's member secret, computed by your server (as Channel Talk's). */
  memberHash?: string;
  /** Traits sent with a ProfileUpdate at boot. */
  profile?: Properties;
  /** A PageView at boot and on each single-page-app navigation that changes the path (default true). */
  trackPageView?: boolean;
  /** "pending": events are held in memory until granted; "denied": nothing is sent or written (default "granted"). */
  consent?: ConsentState;
  /** The site's own domain when the gateway is served under it, e.g. "shop.com": the gateway refreshes the id cookie. */
  cookieDomain?: string;
  /** Milliseconds events wait to be sent together (default 1000). */
  flushInterval?: number;
}

export interface Tagway {
  (command: "boot", options: BootOptions): void;
  /** An event: a name of 1 to 30 letters, digits or _ (a letter first); others are refused with a console warning. */
  (command: "track", name: string, properties?: Properties): void;
  (command: "page", properties?: Properties): void;
  (command: "identify", memberId: string, options?: { memberHash?: string; traits?: Properties }): void;
  /** The page URL events report from now on, instead of the browser's. */
  (command: "setPage", url: string): void;
  (command: "resetPage"): void;
  /** On logout: forget the member and start a new anonymous id. */
  (command: "reset"): void;
  (command: "consent", consent: { analytics: ConsentState }): void;
}

/** The page's tagway command function. */
export declare const tagway: Tagway;
/** A tagway command function for a window (for tests and frames). */
export declare function createTagway(window: Window): Tagway;
