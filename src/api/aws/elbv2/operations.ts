import type { ElbHandler } from './handler.js'
import * as lb from './load-balancers.js'
import * as listeners from './listeners.js'
import * as misc from './misc.js'
import * as tg from './target-groups.js'
import { CreateTrustStore, DescribeTrustStores, ModifyTrustStore, DeleteTrustStore, GetTrustStoreCaCertificatesBundle, GetTrustStoreRevocationContent, AddTrustStoreRevocations, RemoveTrustStoreRevocations, DescribeTrustStoreRevocations, DescribeTrustStoreAssociations, DeleteSharedTrustStoreAssociation, GetResourcePolicy } from './trust-stores.js'

/** Every ELBv2 operation openalb answers, by its Action name. */
export const ELBV2_OPERATIONS: Readonly<Record<string, ElbHandler>> = {
  ...tg,
  ...lb,
  ...listeners,
  ...misc,
  CreateTrustStore,
  DescribeTrustStores,
  ModifyTrustStore,
  DeleteTrustStore,
  GetTrustStoreCaCertificatesBundle,
  GetTrustStoreRevocationContent,
  AddTrustStoreRevocations,
  RemoveTrustStoreRevocations,
  DescribeTrustStoreRevocations,
  DescribeTrustStoreAssociations,
  DeleteSharedTrustStoreAssociation,
  GetResourcePolicy,
}

export const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/'
export const ELBV2_VERSION = '2015-12-01'
