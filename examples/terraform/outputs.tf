output "balancer_dns_name" {
  value = aws_lb.web.dns_name
}

output "url" {
  value = "https://api.${var.domain}:${var.https_port}/"
}

output "name_servers" {
  value = aws_route53_zone.main.name_servers
}
