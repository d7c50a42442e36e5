// `nimbusguard.scaling.objective`, read where scaling proposals are made: the Scaling panel and the act loop.
import * as vscode from 'vscode';
import { parseScalingObjective, type ScalingObjective } from '../core/scaling/objective';

/** The objective in force, with the reason when the setting held something else. */
export function scalingObjectiveSetting(): { objective: ScalingObjective; problem?: string } {
  return parseScalingObjective(vscode.workspace.getConfiguration('nimbusguard').get<unknown>('scaling.objective'));
}
