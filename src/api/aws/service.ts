/** The AWS services openalb answers (each has its wire protocol and its error words). */
export type AwsService = 'elbv2' | 'elb' | 'acm' | 'route53' | 'ec2' | 'autoscaling' | 'lambda' | 'sts' | 'cloudwatch'
