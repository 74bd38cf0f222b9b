import { signatureText } from '../store/signature.js';
import type { RepoIndex } from './repo-index.js';

/**
 * Columns that place a symbol's signature in the text store (store/signature.ts), for a query
 * joining files `f` and symbols `s`. Read them and the signature in one snapshot (`inTextSnapshot`).
 */
export const SIGNATURE_PLACE = 'f.text_offset + s.signature_start AS signatureAt, s.signature_length AS signatureLength';

/** Where a signature lies in the text store (`SIGNATURE_PLACE`); `signatureAt` is null for a file without text. */
export interface SignaturePlace {
  signatureAt: number | null;
  signatureLength: number;
}

/** The signature at `place`, read in the snapshot `place` was read in. */
export function readSignature(repo: RepoIndex, place: SignaturePlace): string {
  return place.signatureAt === null ? '' : signatureText(repo.text.read(place.signatureAt, place.signatureLength));
}

/** `row` with its signature read in place of where it lies. */
export function withSignature<T extends SignaturePlace>(repo: RepoIndex, row: T): Omit<T, keyof SignaturePlace> & { signature: string } {
  const { signatureAt, signatureLength, ...rest } = row;
  return { ...rest, signature: readSignature(repo, { signatureAt, signatureLength }) };
}
