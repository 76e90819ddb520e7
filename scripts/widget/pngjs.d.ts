// pngjs ships no types and @types/pngjs is not installed; this is the part we use.
declare module 'pngjs' {
  export class PNG {
    constructor(options?: { width?: number; height?: number; colorType?: number; inputHasAlpha?: boolean });
    width: number;
    height: number;
    data: Buffer;
    static sync: {
      write(png: PNG, options?: { colorType?: number; deflateLevel?: number }): Buffer;
      read(buffer: Buffer): PNG;
    };
  }
}
