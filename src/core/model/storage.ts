// Plain records for cluster storage: StorageClasses and PersistentVolumes (claims live in resources.ts).
import type { Meta } from './resources';

export interface StorageClass {
  meta: Meta;
  provisioner: string;
  /** Annotated storageclass.kubernetes.io/is-default-class=true (or the beta spelling). */
  isDefault: boolean;
  volumeBindingMode: string;
}

export interface PersistentVolume {
  meta: Meta;
  /** Pending, Available, Bound, Released or Failed. */
  phase: string;
  reason?: string;
  message?: string;
  storageClassName?: string;
  claim?: { namespace: string; name: string; uid?: string };
  reclaimPolicy: string;
  capacity?: string;
}
