// StorageClasses and PersistentVolumes → plain records.
import type { PersistentVolume, StorageClass } from '../core/model/storage';
import { obj, opt, str, toMeta, type Obj } from './convert';

export function toStorageClass(o: Obj): StorageClass {
  const meta = toMeta(o);
  const a = meta.annotations;
  return {
    meta,
    provisioner: str(o['provisioner']),
    isDefault:
      a['storageclass.kubernetes.io/is-default-class'] === 'true' ||
      a['storageclass.beta.kubernetes.io/is-default-class'] === 'true',
    volumeBindingMode: str(o['volumeBindingMode']) || 'Immediate',
  };
}

export function toPersistentVolume(o: Obj): PersistentVolume {
  const spec = obj(o['spec']);
  const status = obj(o['status']);
  const claim = spec['claimRef'] ? obj(spec['claimRef']) : undefined;
  return {
    meta: toMeta(o),
    phase: str(status['phase']) || 'Pending',
    ...opt('reason', str(status['reason'])),
    ...opt('message', str(status['message'])),
    ...opt('storageClassName', str(spec['storageClassName'])),
    ...(claim
      ? { claim: { namespace: str(claim['namespace']), name: str(claim['name']), ...opt('uid', str(claim['uid'])) } }
      : {}),
    reclaimPolicy: str(spec['persistentVolumeReclaimPolicy']) || 'Retain',
    ...opt('capacity', str(obj(spec['capacity'])['storage'])),
  };
}
