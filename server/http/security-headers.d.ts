// Types for security-headers.js (plain JavaScript so next.config.js can import it).
export declare const SECURITY_HEADERS: Readonly<Record<string, string>>;
export declare const NON_DOCUMENT_POLICY: string;
export declare const HSTS_POLICY: string;
