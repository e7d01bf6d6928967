export type ChallengeType = 'http-01' | 'dns-01' | 'tls-alpn-01';
export interface ValidationInput { type: ChallengeType; identifier: { type: 'dns' | 'ip'; value: string }; token: string; keyAuthorization: string; }
export type ValidationError = { type: 'connection' | 'dns' | 'incorrectResponse' | 'unauthorized' | 'tls' | 'rejectedIdentifier' | 'malformed'; detail: string };
export type ValidationResult = { ok: true; addressUsed?: string } | { ok: false; error: ValidationError };
export abstract class ChallengeValidator { abstract validate(input: ValidationInput): Promise<ValidationResult>; }
