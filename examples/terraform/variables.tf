variable "openalb_endpoint" {
  description = "openalb's control endpoint (the AWS-compatible API)."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "region" {
  description = "Any region; openalb's ARNs carry its own partition's region."
  type        = string
  default     = "us-east-1"
}

variable "access_key" {
  description = "An access key configured in openalb, or any value when it runs without keys on loopback."
  type        = string
  default     = "test"
}

variable "secret_key" {
  type      = string
  default   = "test"
  sensitive = true
}

variable "domain" {
  description = "The zone the balancer's name lives in."
  type        = string
  default     = "example.test"
}

variable "backend" {
  description = "The web server behind the balancer."
  type        = object({ address = string, port = number })
  default     = { address = "127.0.0.1", port = 4000 }
}

variable "https_port" {
  type    = number
  default = 8443
}

variable "http_port" {
  type    = number
  default = 8080
}
