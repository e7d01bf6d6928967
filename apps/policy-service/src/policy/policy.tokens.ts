/** Injection token for the validated policy file (PolicyConfig). */
export const POLICY_CONFIG = Symbol('POLICY_CONFIG');
