"""AWS test code as people write it (unittest and boto3, no pytest), run unchanged against openalb.

The suite knows nothing of openalb: it reads AWS_ENDPOINT_URL, credentials and the region from the
environment, as code written for AWS does, and asserts AWS's documented behaviour (shapes, waiters,
paginators, error codes). test/aws/boto3.test.ts starts openalb and runs it.
"""
import time
import unittest
import uuid

import boto3
from botocore.exceptions import ClientError


def client(service):
    return boto3.client(service)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_code(err):
    return err.response["Error"]["Code"]


class ElbV2(unittest.TestCase):
    def setUp(self):
        self.elbv2 = client("elbv2")
        self.ec2 = client("ec2")
        self.vpc_id = self.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        self.subnets = [s["SubnetId"] for s in self.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])["Subnets"]][:2]

    def make_group(self, **extra):
        args = dict(Name=unique("tg"), Protocol="HTTP", Port=80, VpcId=self.vpc_id, TargetType="ip", HealthCheckPath="/")
        args.update(extra)
        tg = self.elbv2.create_target_group(**args)["TargetGroups"][0]
        self.addCleanup(self.elbv2.delete_target_group, TargetGroupArn=tg["TargetGroupArn"])
        return tg

    def make_balancer(self):
        lb = self.elbv2.create_load_balancer(Name=unique("lb"), Subnets=self.subnets, Scheme="internet-facing", Type="application")["LoadBalancers"][0]
        self.addCleanup(self.elbv2.delete_load_balancer, LoadBalancerArn=lb["LoadBalancerArn"])
        return lb

    def test_target_group_defaults_and_attributes(self):
        tg = self.make_group()
        self.assertEqual(tg["HealthCheckProtocol"], "HTTP")
        self.assertEqual(tg["HealthCheckIntervalSeconds"], 30)
        self.assertEqual(tg["HealthyThresholdCount"], 5)
        self.assertEqual(tg["UnhealthyThresholdCount"], 2)
        self.assertEqual(tg["Matcher"], {"HttpCode": "200"})
        self.elbv2.modify_target_group_attributes(
            TargetGroupArn=tg["TargetGroupArn"], Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "10"}]
        )
        attrs = {a["Key"]: a["Value"] for a in self.elbv2.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}
        self.assertEqual(attrs["deregistration_delay.timeout_seconds"], "10")
        self.assertEqual(attrs["stickiness.enabled"], "false")

    def test_duplicate_and_missing_names(self):
        tg = self.make_group()
        with self.assertRaises(ClientError) as e:
            self.elbv2.create_target_group(Name=tg["TargetGroupName"], Protocol="HTTP", Port=81, VpcId=self.vpc_id)
        self.assertEqual(error_code(e.exception), "DuplicateTargetGroupName")
        with self.assertRaises(ClientError) as e:
            self.elbv2.describe_load_balancers(Names=[unique("nothere")])
        self.assertEqual(error_code(e.exception), "LoadBalancerNotFound")
        with self.assertRaises(ClientError) as e:
            self.elbv2.describe_target_groups(Names=[unique("nothere")])
        self.assertEqual(error_code(e.exception), "TargetGroupNotFound")

    def test_balancer_waiter_listener_and_rules(self):
        lb = self.make_balancer()
        self.elbv2.get_waiter("load_balancer_available").wait(LoadBalancerArns=[lb["LoadBalancerArn"]], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertEqual(self.elbv2.describe_load_balancers(Names=[lb["LoadBalancerName"]])["LoadBalancers"][0]["State"]["Code"], "active")
        tg = self.make_group()
        with self.assertRaises(ClientError) as e:
            self.elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=18443, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
        self.assertEqual(error_code(e.exception), "ValidationError", "an HTTPS listener needs a certificate")
        listener = self.elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=18080,
            DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
        )["Listeners"][0]
        self.assertEqual(listener["DefaultActions"][0]["RedirectConfig"]["Host"], "#{host}")
        rule = self.elbv2.create_rule(
            ListenerArn=listener["ListenerArn"], Priority=10,
            Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.test"]}}],
            Actions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
        )["Rules"][0]
        with self.assertRaises(ClientError) as e:
            self.elbv2.create_rule(
                ListenerArn=listener["ListenerArn"], Priority=10,
                Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
                Actions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
            )
        self.assertEqual(error_code(e.exception), "PriorityInUse")
        self.elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": rule["RuleArn"], "Priority": 5}])
        rules = self.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
        self.assertEqual([(r["Priority"], r["IsDefault"]) for r in rules], [("5", False), ("default", True)])
        self.assertEqual(rules[0]["Conditions"][0]["Values"], ["api.example.test"])
        with self.assertRaises(ClientError) as e:
            self.elbv2.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
        self.assertEqual(error_code(e.exception), "ResourceInUse")
        self.elbv2.delete_rule(RuleArn=rule["RuleArn"])
        self.elbv2.delete_listener(ListenerArn=listener["ListenerArn"])

    def test_targets_health_and_deregistration_waiter(self):
        tg = self.make_group(HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, UnhealthyThresholdCount=2)
        self.elbv2.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}])
        self.elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "127.0.0.1", "Port": 9}])
        health = self.elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
        self.assertEqual(health[0]["Target"], {"Id": "127.0.0.1", "Port": 9})
        # Not used by any balancer: AWS says unused, whatever the target.
        self.assertEqual(health[0]["TargetHealth"]["State"], "unused")
        self.assertEqual(health[0]["TargetHealth"]["Reason"], "Target.NotInUse")
        self.elbv2.deregister_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "127.0.0.1", "Port": 9}])
        self.elbv2.get_waiter("target_deregistered").wait(
            TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "127.0.0.1", "Port": 9}], WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )

    def test_tags_and_paginator(self):
        names = []
        for _ in range(3):
            names.append(self.make_group()["TargetGroupName"])
        arns = [g["TargetGroupArn"] for g in self.elbv2.describe_target_groups(Names=names)["TargetGroups"]]
        self.elbv2.add_tags(ResourceArns=arns[:1], Tags=[{"Key": "team", "Value": "web"}])
        described = self.elbv2.describe_tags(ResourceArns=arns[:1])["TagDescriptions"][0]
        self.assertEqual(described["Tags"], [{"Key": "team", "Value": "web"}])
        seen = []
        for page in self.elbv2.get_paginator("describe_target_groups").paginate(PaginationConfig={"PageSize": 1}):
            self.assertLessEqual(len(page["TargetGroups"]), 1)
            seen += [g["TargetGroupName"] for g in page["TargetGroups"]]
        for n in names:
            self.assertIn(n, seen)


class Acm(unittest.TestCase):
    def setUp(self):
        self.acm = client("acm")

    def test_request_describe_tag_delete(self):
        domain = f"{unique('app')}.example.test"
        arn = self.acm.request_certificate(DomainName=domain, ValidationMethod="DNS", SubjectAlternativeNames=[f"www.{domain}"])["CertificateArn"]
        self.assertRegex(arn, r"^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
        # The validation record appears shortly after the request, as on AWS: test code polls for it.
        record = None
        for _ in range(50):
            cert = self.acm.describe_certificate(CertificateArn=arn)["Certificate"]
            options = cert.get("DomainValidationOptions", [])
            if options and "ResourceRecord" in options[0]:
                record = options[0]["ResourceRecord"]
                break
            time.sleep(0.1)
        self.assertIsNotNone(record)
        self.assertEqual(record["Type"], "CNAME")
        self.assertTrue(record["Name"].endswith(f"{domain}."))
        self.assertEqual(cert["Status"], "PENDING_VALIDATION")
        self.assertEqual(cert["SubjectAlternativeNames"], [domain, f"www.{domain}"])
        self.acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "env", "Value": "test"}])
        self.assertEqual(self.acm.list_tags_for_certificate(CertificateArn=arn)["Tags"], [{"Key": "env", "Value": "test"}])
        listed = [c["CertificateArn"] for c in self.acm.list_certificates(CertificateStatuses=["PENDING_VALIDATION"])["CertificateSummaryList"]]
        self.assertIn(arn, listed)
        self.acm.delete_certificate(CertificateArn=arn)
        with self.assertRaises(ClientError) as e:
            self.acm.describe_certificate(CertificateArn=arn)
        self.assertEqual(error_code(e.exception), "ResourceNotFoundException")

    def test_malformed_arn(self):
        with self.assertRaises(ClientError) as e:
            self.acm.describe_certificate(CertificateArn="arn:aws:acm:us-east-1:123:nope")
        self.assertIn(error_code(e.exception), ("InvalidArnException", "ValidationException"))


class Route53(unittest.TestCase):
    def setUp(self):
        self.r53 = client("route53")
        self.elbv2 = client("elbv2")

    def make_zone(self):
        name = f"{unique('zone')}.example.test"
        zone = self.r53.create_hosted_zone(Name=name, CallerReference=str(uuid.uuid4()))
        zone_id = zone["HostedZone"]["Id"]
        self.addCleanup(self.r53.delete_hosted_zone, Id=zone_id)
        return name, zone_id, zone

    def test_zone_records_waiter_and_alias(self):
        name, zone_id, zone = self.make_zone()
        self.assertEqual(len(zone["DelegationSet"]["NameServers"]), 4)
        self.assertEqual(self.r53.get_hosted_zone(Id=zone_id)["HostedZone"]["Name"], f"{name}.")
        lb = self.elbv2.create_load_balancer(Name=unique("alias"))["LoadBalancers"][0]
        self.addCleanup(self.elbv2.delete_load_balancer, LoadBalancerArn=lb["LoadBalancerArn"])
        change = self.r53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": f"www.{name}", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "127.0.0.1"}]}},
                {"Action": "CREATE", "ResourceRecordSet": {"Name": f"api.{name}", "Type": "A", "AliasTarget": {
                    "HostedZoneId": lb["CanonicalHostedZoneId"], "DNSName": f"dualstack.{lb['DNSName']}", "EvaluateTargetHealth": True}}},
            ]},
        )
        self.r53.get_waiter("resource_record_sets_changed").wait(Id=change["ChangeInfo"]["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        records = {(r["Name"], r["Type"]): r for r in self.r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]}
        self.assertIn((f"{name}.", "NS"), records)
        self.assertIn((f"{name}.", "SOA"), records)
        self.assertEqual(records[(f"www.{name}.", "A")]["ResourceRecords"], [{"Value": "127.0.0.1"}])
        self.assertEqual(records[(f"api.{name}.", "A")]["AliasTarget"]["HostedZoneId"], lb["CanonicalHostedZoneId"])
        with self.assertRaises(ClientError) as e:
            self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": f"www.{name}", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "127.0.0.2"}]}}]})
        self.assertEqual(error_code(e.exception), "InvalidChangeBatch")
        with self.assertRaises(ClientError) as e:
            self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": "elsewhere.example.org", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "127.0.0.2"}]}}]})
        self.assertEqual(error_code(e.exception), "InvalidChangeBatch")
        with self.assertRaises(ClientError) as e:
            self.r53.delete_hosted_zone(Id=zone_id)
        self.assertEqual(error_code(e.exception), "HostedZoneNotEmpty")
        self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
            {"Action": "DELETE", "ResourceRecordSet": records[(f"www.{name}.", "A")]},
            {"Action": "DELETE", "ResourceRecordSet": records[(f"api.{name}.", "A")]},
        ]})

    def test_missing_zone_and_paginator(self):
        with self.assertRaises(ClientError) as e:
            self.r53.get_hosted_zone(Id="Z0000000000000000NONE")
        self.assertEqual(error_code(e.exception), "NoSuchHostedZone")
        made = {self.make_zone()[1].split("/")[-1] for _ in range(3)}
        seen = set()
        for page in self.r53.get_paginator("list_hosted_zones").paginate(PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page["HostedZones"]), 2)
            seen |= {z["Id"].split("/")[-1] for z in page["HostedZones"]}
        self.assertTrue(made <= seen)

    def test_health_check(self):
        hc = self.r53.create_health_check(CallerReference=str(uuid.uuid4()), HealthCheckConfig={
            "Type": "HTTP", "IPAddress": "127.0.0.1", "Port": 9, "ResourcePath": "/", "RequestInterval": 10, "FailureThreshold": 2})["HealthCheck"]
        self.addCleanup(self.r53.delete_health_check, HealthCheckId=hc["Id"])
        got = self.r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"]
        self.assertEqual(got["HealthCheckConfig"]["Type"], "HTTP")
        self.assertEqual(got["HealthCheckConfig"]["RequestInterval"], 10)
        self.assertGreaterEqual(self.r53.get_health_check_count()["HealthCheckCount"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
