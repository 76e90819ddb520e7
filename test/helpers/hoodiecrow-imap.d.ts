/** The part of hoodiecrow-imap (an in-process IMAP server, CommonJS, untyped) that test/helpers/imap-server.ts uses. */
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowMailbox {
    /** RFC 6154 attribute shown in LIST by the SPECIAL-USE plugin, e.g. '\\Sent'. */
    'special-use'?: string;
    uidvalidity?: number;
    messages?: Array<string | { raw: string; flags?: string[]; internaldate?: Date | string; uid?: number }>;
    folders?: Record<string, HoodiecrowMailbox>;
    /** Namespace roots only. */
    separator?: string;
  }

  interface HoodiecrowOptions {
    /** Built-in plugin names (lib/plugins/*), e.g. 'IDLE', 'UIDPLUS'. */
    plugins?: string[];
    users?: Record<string, { password: string }>;
    /** Keys are namespaces: 'INBOX' is the INBOX itself, '' the personal namespace holding other folders. */
    storage?: Record<string, HoodiecrowMailbox>;
    debug?: boolean;
  }

  interface HoodiecrowServer {
    /** The underlying net.Server. */
    server: Server;
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: (err?: Error) => void): void;
  }

  function hoodiecrow(options?: HoodiecrowOptions): HoodiecrowServer;
  export = hoodiecrow;
}
