/** A vector as the `memories.embedding` column keeps it: float32, little-endian (what sqlite-vec reads). */
export function vectorToBlob(vector: Float32Array): Buffer {
  const blob = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => blob.writeFloatLE(value, i * 4));
  return blob;
}

export function blobToVector(blob: Buffer): Float32Array {
  const vector = new Float32Array(blob.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = blob.readFloatLE(i * 4);
  return vector;
}

/** Cosine similarity, -1..1 (0 when either vector is all zeros or their lengths differ). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
