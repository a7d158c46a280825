/**
 * The preview area (issue 24): the first line of a new message's text for its popup and its
 * stream line, fetched with BODY.PEEK in bounded bytes, decoded and cleaned.
 */
export { fetchPreviews, PREVIEW_BYTES, withPreviews } from './fetch-previews.js';
export { PreviewGate } from './preview-gate.js';
export { previewPartOf, type PreviewPart } from './preview-part.js';
export { cleanPreview, PREVIEW_LENGTH, previewText } from './preview-text.js';
