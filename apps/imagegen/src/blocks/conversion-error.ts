/** A block workspace that cannot become a script; `blockId` names the offending block. */
export class ConversionError extends Error {
  readonly blockId: string | undefined;

  constructor(message: string, blockId?: string) {
    super(message);
    this.name = 'ConversionError';
    this.blockId = blockId;
  }
}
