/**
 * Resource types and template metadata keys the front-ends emit and `layersmith report` reads
 * back: one definition, so the writer and the reader cannot drift apart.
 */

/**
 * The ROS resource type of an FC 3.0 layer version. `@alicloud/ros-cdk-fc3` has no class for it,
 * so the ROS CDK front-end declares it as a raw RosResource. Properties (Alibaba Cloud ROS reference,
 * https://www.alibabacloud.com/help/ros/developer-reference/aliyun-fc3-layerversion): LayerName,
 * Acl ('0' private, '1' public), Code (ZipFile, Checksum = CRC-64, OssBucketName, OssObjectName),
 * CompatibleRuntime (0-20 entries), Description, License; `Fn::GetAtt LayerVersionArn` is
 * acs:fc:{region}:{accountID}:layers/{layerName}/versions/{layerVersion}.
 */
export const FC3_LAYER_VERSION_TYPE = 'ALIYUN::FC3::LayerVersion';

/** Template metadata key AWS CDK writes with each resource's construct path. */
export const AWS_CDK_PATH_METADATA_KEY = 'aws:cdk:path';

/**
 * Template metadata key with a resource's construct path in ROS templates: ROS CDK writes none,
 * so the ROS CDK front-end adds it, and `layersmith report` ties template resources back to constructs.
 */
export const ROS_PATH_METADATA_KEY = 'aliyun:ros:path';

/** Every metadata key that carries a construct path, in the order the report looks for them. */
export const PATH_METADATA_KEYS: readonly string[] = Object.freeze([AWS_CDK_PATH_METADATA_KEY, ROS_PATH_METADATA_KEY]);
