import { docText, type DocForm } from '../store/doc-text.js';
import { signatureText } from '../store/signature.js';
import type { RepoIndex } from './repo-index.js';

/**
 * Columns that place a symbol's signature in the text store (store/signature.ts), for a query
 * joining files `f` and symbols `s`. Read them and the signature in one snapshot (`inTextSnapshot`).
 */
export const SIGNATURE_PLACE = 'f.text_offset + s.signature_start AS signatureAt, s.signature_length AS signatureLength';
/** Columns that place a symbol's doc source in the text store, and its form (store/doc-text.ts); as `SIGNATURE_PLACE`. */
export const DOC_PLACE = 'f.text_offset + s.doc_start AS docAt, s.doc_length AS docLength, s.doc_form AS docForm';

/** Where a signature lies in the text store (`SIGNATURE_PLACE`); `signatureAt` is null for a file without text. */
export interface SignaturePlace {
  signatureAt: number | null;
  signatureLength: number;
}

/** Where a doc's source lies in the text store (`DOC_PLACE`); null when the symbol has no doc. */
export interface DocPlace {
  docAt: number | null;
  docLength: number | null;
  docForm: DocForm | null;
}

/** The signature at `place`, read in the snapshot `place` was read in. */
export function readSignature(repo: RepoIndex, place: SignaturePlace): string {
  return place.signatureAt === null ? '' : signatureText(repo.text.read(place.signatureAt, place.signatureLength));
}

/** The doc at `place`, read in the snapshot `place` was read in. */
export function readDoc(repo: RepoIndex, place: DocPlace): string | null {
  if (place.docAt === null || place.docLength === null || place.docForm === null) return null;
  return docText(repo.text.read(place.docAt, place.docLength).toString('utf8'), place.docForm);
}

/** `row` with its signature read in place of where it lies. */
export function withSignature<T extends SignaturePlace>(repo: RepoIndex, row: T): Omit<T, keyof SignaturePlace> & { signature: string } {
  const { signatureAt, signatureLength, ...rest } = row;
  return { ...rest, signature: readSignature(repo, { signatureAt, signatureLength }) };
}

/** `row` with its signature and doc read in place of where they lie. */
export function withSymbolText<T extends SignaturePlace & DocPlace>(
  repo: RepoIndex,
  row: T,
): Omit<T, keyof SignaturePlace | keyof DocPlace> & { signature: string; doc: string | null } {
  const { docAt, docLength, docForm, signatureAt, signatureLength, ...rest } = row;
  return { ...rest, signature: readSignature(repo, { signatureAt, signatureLength }), doc: readDoc(repo, { docAt, docLength, docForm }) };
}
