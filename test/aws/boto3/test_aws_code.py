"""AWS test code as people write it (unittest and boto3, no pytest), run unchanged against openalb.

The suite knows nothing of openalb: it reads AWS_ENDPOINT_URL, credentials and the region from the
environment, as code written for AWS does, and asserts AWS's documented behaviour (shapes, waiters,
paginators, error codes). test/aws/boto3.test.ts starts openalb and runs it.
"""
import time
import unittest
import uuid

import datetime

import boto3
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def client(service):
    return boto3.client(service)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_code(err):
    return err.response["Error"]["Code"]


def self_signed(domain, days=30):
    """A self-signed certificate and its key, as test code makes them with cryptography."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


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

    def test_https_listener_with_imported_certificate(self):
        acm = client("acm")
        domain = f"{unique('secure')}.example.test"
        cert_pem, key_pem = self_signed(domain)
        cert_arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
        self.addCleanup(acm.delete_certificate, CertificateArn=cert_arn)
        extra_pem, extra_key = self_signed(f"extra.{domain}")
        extra_arn = acm.import_certificate(Certificate=extra_pem, PrivateKey=extra_key)["CertificateArn"]
        self.addCleanup(acm.delete_certificate, CertificateArn=extra_arn)
        lb = self.make_balancer()
        tg = self.make_group()
        listener = self.elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=18443, Certificates=[{"CertificateArn": cert_arn}],
            SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
        )["Listeners"][0]
        self.addCleanup(self.elbv2.delete_listener, ListenerArn=listener["ListenerArn"])
        self.assertEqual(listener["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
        with self.assertRaises(ClientError) as e:
            acm.delete_certificate(CertificateArn=cert_arn)
        self.assertEqual(error_code(e.exception), "ResourceInUseException")
        self.elbv2.add_listener_certificates(ListenerArn=listener["ListenerArn"], Certificates=[{"CertificateArn": extra_arn}])
        certs = self.elbv2.describe_listener_certificates(ListenerArn=listener["ListenerArn"])["Certificates"]
        self.assertEqual(sorted((c["CertificateArn"], c.get("IsDefault")) for c in certs), sorted([(cert_arn, True), (extra_arn, False)]))
        self.elbv2.remove_listener_certificates(ListenerArn=listener["ListenerArn"], Certificates=[{"CertificateArn": extra_arn}])
        modified = self.elbv2.modify_listener(ListenerArn=listener["ListenerArn"], SslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06")["Listeners"][0]
        self.assertEqual(modified["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-Res-2021-06")
        with self.assertRaises(ClientError) as e:
            self.elbv2.modify_listener(ListenerArn=listener["ListenerArn"], SslPolicy="ELBSecurityPolicy-Nope")
        self.assertEqual(error_code(e.exception), "SSLPolicyNotFound")
        policies = self.elbv2.describe_ssl_policies(Names=["ELBSecurityPolicy-TLS13-1-2-2021-06"])["SslPolicies"]
        self.assertIn("TLSv1.3", policies[0]["SslProtocols"])

    def test_balancer_attributes(self):
        lb = self.make_balancer()
        self.elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}, {"Key": "routing.http2.enabled", "Value": "false"}]
        )
        attrs = {a["Key"]: a["Value"] for a in self.elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
        self.assertEqual(attrs["idle_timeout.timeout_seconds"], "120")
        self.assertEqual(attrs["routing.http2.enabled"], "false")
        self.assertEqual(attrs["deletion_protection.enabled"], "false")
        with self.assertRaises(ClientError) as e:
            self.elbv2.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "0"}])
        self.assertEqual(error_code(e.exception), "ValidationError")


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

    def test_import_get_reimport(self):
        domain = f"{unique('imp')}.example.test"
        cert_pem, key_pem = self_signed(domain)
        arn = self.acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem, Tags=[{"Key": "src", "Value": "test"}])["CertificateArn"]
        self.addCleanup(self.acm.delete_certificate, CertificateArn=arn)
        cert = self.acm.describe_certificate(CertificateArn=arn)["Certificate"]
        self.assertEqual(cert["Type"], "IMPORTED")
        self.assertEqual(cert["Status"], "ISSUED")
        self.assertEqual(cert["DomainName"], domain)
        self.assertEqual(cert["KeyAlgorithm"], "EC_prime256v1")
        self.assertIn("NotAfter", cert)
        got = self.acm.get_certificate(CertificateArn=arn)
        self.assertEqual(got["Certificate"].strip(), cert_pem.decode().strip())
        newer_pem, newer_key = self_signed(domain, days=60)
        self.assertEqual(self.acm.import_certificate(CertificateArn=arn, Certificate=newer_pem, PrivateKey=newer_key)["CertificateArn"], arn)
        self.assertEqual(self.acm.get_certificate(CertificateArn=arn)["Certificate"].strip(), newer_pem.decode().strip())
        with self.assertRaises(ClientError) as e:
            self.acm.import_certificate(Certificate=cert_pem, PrivateKey=newer_key)
        self.assertEqual(error_code(e.exception), "ValidationException", "a key that is not the certificate's")
        summaries = self.acm.list_certificates(Includes={"keyTypes": ["EC_prime256v1"]})["CertificateSummaryList"]
        self.assertIn(arn, [c["CertificateArn"] for c in summaries])

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

    def test_weighted_and_failover_records(self):
        name, zone_id, _ = self.make_zone()
        hc = self.r53.create_health_check(CallerReference=str(uuid.uuid4()), HealthCheckConfig={
            "Type": "TCP", "IPAddress": "127.0.0.1", "Port": 9, "RequestInterval": 10, "FailureThreshold": 1})["HealthCheck"]
        self.addCleanup(self.r53.delete_health_check, HealthCheckId=hc["Id"])
        changes = [
            {"Action": "CREATE", "ResourceRecordSet": {"Name": f"w.{name}", "Type": "A", "SetIdentifier": "blue", "Weight": 70, "TTL": 30, "ResourceRecords": [{"Value": "127.0.0.11"}]}},
            {"Action": "CREATE", "ResourceRecordSet": {"Name": f"w.{name}", "Type": "A", "SetIdentifier": "green", "Weight": 30, "TTL": 30, "ResourceRecords": [{"Value": "127.0.0.12"}]}},
            {"Action": "CREATE", "ResourceRecordSet": {"Name": f"f.{name}", "Type": "A", "SetIdentifier": "main", "Failover": "PRIMARY", "HealthCheckId": hc["Id"], "TTL": 30, "ResourceRecords": [{"Value": "127.0.0.21"}]}},
            {"Action": "CREATE", "ResourceRecordSet": {"Name": f"f.{name}", "Type": "A", "SetIdentifier": "backup", "Failover": "SECONDARY", "TTL": 30, "ResourceRecords": [{"Value": "127.0.0.22"}]}},
        ]
        self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
        listed = self.r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        weighted = sorted((r["SetIdentifier"], r["Weight"]) for r in listed if r["Name"] == f"w.{name}.")
        self.assertEqual(weighted, [("blue", 70), ("green", 30)])
        failover = {r["SetIdentifier"]: r for r in listed if r["Name"] == f"f.{name}."}
        self.assertEqual(failover["main"]["Failover"], "PRIMARY")
        self.assertEqual(failover["main"]["HealthCheckId"], hc["Id"])
        with self.assertRaises(ClientError) as e:
            self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": f"w.{name}", "Type": "A", "TTL": 30, "ResourceRecords": [{"Value": "127.0.0.13"}]}}]})
        self.assertEqual(error_code(e.exception), "InvalidChangeBatch", "a simple record beside weighted ones of the same name")
        self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": c["ResourceRecordSet"]} for c in changes]})

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
