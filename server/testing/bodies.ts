/**
 * A request body that is generated as it is read, with no length: what a client sends with
 * `Transfer-Encoding: chunked`. `pulledBytes()` says how much of it the server has read, so a test
 * can tell a body that was cut off at a cap from one that was read to its end.
 */
export function chunkedBody(totalBytes: number, chunkBytes = 64 * 1024) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= totalBytes) return controller.close();
        pulled += chunkBytes;
        // Looks like a form or JSON string to a parser that reads it all: "aaaa…".
        controller.enqueue(new Uint8Array(chunkBytes).fill(0x61));
      },
    },
    // Nothing is produced ahead of the reader.
    { highWaterMark: 0 },
  );
  return { body, pulledBytes: () => pulled };
}

/** Request options for a streamed body (undici needs `duplex` for those, which the DOM types lack). */
export function streamedInit(method: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  return { method, body, headers, duplex: "half" as const };
}
