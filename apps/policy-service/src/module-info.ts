/** How this policy module introduces itself (ICertPolicy::GetDescription, and the module registry in ca-core). */
export const MODULE_INFO = {
  kind: 'policy',
  name: 'signet-default-policy',
  description: 'Signet default policy module: certificate templates and AD CS disposition rules from a policy file',
  // TODO(lead): take from the release build once the workspace stamps versions.
  version: '0.1.0',
} as const;
