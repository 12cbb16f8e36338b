/**
 * Columns the Azure ML collectors generate themselves (formats.md §1, §2): the collector writes
 * them, the reader recognises headers and join keys by them. One list, shared by both sides.
 */

/** Workbench (and identifier-era azureml-monitoring): prepended before the features. */
export const WORKBENCH_GENERATED_COLUMNS = ['$Timestamp', '$CorrelationId', '$RequestId'] as const;

/** AKS azureml-monitoring: appended after the features, in this order. */
export const AKS_GENERATED_COLUMNS = [
  '$aml_dc_correlation_id',
  '$aml_dc_scoring_timestamp',
  '$aml_dc_boundary',
  '$aml_workspace',
  '$aml_service_name',
  '$aml_model_name',
  '$aml_model_version',
  '$aml_request_id',
] as const;
