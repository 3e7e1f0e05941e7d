# The aws provider pointed at openalb's control endpoint. openalb answers ELBv2, ACM, Route 53
# and the EC2 security-group calls; the provider's start-up calls to STS and IAM are skipped.
provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    elbv2   = var.openalb_endpoint
    acm     = var.openalb_endpoint
    route53 = var.openalb_endpoint
    ec2     = var.openalb_endpoint
  }
}
