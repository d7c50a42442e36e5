// Every diagnosis rule, one per failure family. diagnose() asks each rule whose types include the
// incident's type and keeps the most confident answer.
import type { DiagnosisRule } from './rule';
import { oomRule } from './oomRule';
import { rolloutRule } from './rolloutRule';
import { stuckRolloutRule } from './stuckRolloutRule';
import { crashRule } from './crashRule';
import { imagePullRule } from './imagePullRule';
import { configMissingRule } from './configMissingRule';
import { unschedulableRule } from './unschedulableRule';
import { quotaRule } from './quotaRule';
import { readinessRule } from './readinessRule';
import { serviceSelectorRule } from './serviceSelectorRule';
import { pvcRule } from './pvcRule';
import { hpaSaturatedRule } from './hpaSaturatedRule';
import { hpaConfigRule } from './hpaConfigRule';
import { nodeRule } from './nodeRule';
import { jobRule } from './jobRule';
import { cronJobRule } from './cronJobRule';
import { webhookRule } from './webhookRule';
import { replicasUnavailableRule } from './replicasUnavailableRule';
import { ingressRule } from './ingressRule';
import { disruptionRule } from './disruptionRule';
import { statefulSetRule } from './statefulSetRule';
import { volumeLostRule } from './volumeLostRule';
import { nodeProblemRule } from './nodeProblemRule';
import { gatewayRule } from './gatewayRule';
import { podSetupRule } from './podSetupRule';
import { admissionRule } from './admissionRule';
import { containerFailedRule } from './containerFailedRule';
import { pullSecretRule } from './pullSecretRule';
import { networkPolicyRule } from './networkPolicyRule';
import { networkPolicyDnsRule } from './networkPolicyDnsRule';

export const RULES: readonly DiagnosisRule[] = [
  oomRule,
  rolloutRule,
  stuckRolloutRule,
  crashRule,
  imagePullRule,
  configMissingRule,
  unschedulableRule,
  quotaRule,
  readinessRule,
  serviceSelectorRule,
  pvcRule,
  hpaSaturatedRule,
  hpaConfigRule,
  nodeRule,
  jobRule,
  cronJobRule,
  webhookRule,
  replicasUnavailableRule,
  // Objects that refer to missing ones, or block others.
  ingressRule,
  disruptionRule,
  statefulSetRule,
  volumeLostRule,
  nodeProblemRule,
  gatewayRule,
  podSetupRule,
  admissionRule,
  containerFailedRule,
  pullSecretRule,
  networkPolicyRule,
  networkPolicyDnsRule,
];
