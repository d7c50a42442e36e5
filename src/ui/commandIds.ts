// The ids of the commands NimbusGuard registers, typed once. package.json declares the same ids
// (a unit test keeps both in step); code refers to a command only through COMMANDS.

export const COMMANDS = {
  switchContext: 'nimbusguard.switchContext',
  pickKubeconfig: 'nimbusguard.pickKubeconfig',
  refresh: 'nimbusguard.refresh',
  showIncidents: 'nimbusguard.showIncidents',
  showEvidence: 'nimbusguard.showEvidence',
  openYaml: 'nimbusguard.openYaml',
  revealManifest: 'nimbusguard.revealManifest',
  explainIncident: 'nimbusguard.explainIncident',
  setLlmApiKey: 'nimbusguard.setLlmApiKey',
  applyManifestFix: 'nimbusguard.applyManifestFix',
  showScaling: 'nimbusguard.showScaling',
  showIncidentsPanel: 'nimbusguard.showIncidentsPanel',
  applyFix: 'nimbusguard.applyFix',
  rollbackChange: 'nimbusguard.rollbackChange',
  showApproval: 'nimbusguard.showApproval',
  setPrometheusAuthHeader: 'nimbusguard.setPrometheusAuthHeader',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];
