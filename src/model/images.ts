/**
 * The images DescribeImages lists. No image is ever booted: an instance is a process on this
 * machine and its ImageId is a label (any label is accepted, as docs/ec2.md says). This catalogue
 * gives code that looks an AMI up first (Terraform's `data "aws_ami"`, SDK scripts) the images it
 * usually asks for, with their owners' account ids and aliases as AWS publishes them; labels in use
 * by instances or launch templates are listed too, owned by the caller's account.
 */
export interface ImageEntry {
  readonly imageId: string
  readonly name: string
  readonly description: string
  readonly ownerId: string
  readonly ownerAlias?: string | undefined
  readonly creationDate: string
  readonly platformDetails: string
}

/** Amazon's Linux images are owned by 137112412989 (alias amazon), Canonical's by 099720109477, Debian's by 136693071363. */
export const IMAGE_CATALOGUE: readonly ImageEntry[] = [
  { imageId: 'ami-0a1b2c3d4e5f60001', name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64', description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1', ownerId: '137112412989', ownerAlias: 'amazon', creationDate: '2024-12-12T20:00:00.000Z', platformDetails: 'Linux/UNIX' },
  { imageId: 'ami-0a1b2c3d4e5f60002', name: 'amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2', description: 'Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2', ownerId: '137112412989', ownerAlias: 'amazon', creationDate: '2024-12-17T20:00:00.000Z', platformDetails: 'Linux/UNIX' },
  { imageId: 'ami-0a1b2c3d4e5f60003', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206', description: 'Canonical, Ubuntu, 24.04, amd64 noble image', ownerId: '099720109477', creationDate: '2024-12-06T10:00:00.000Z', platformDetails: 'Linux/UNIX' },
  { imageId: 'ami-0a1b2c3d4e5f60004', name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241206', description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image', ownerId: '099720109477', creationDate: '2024-12-06T10:00:00.000Z', platformDetails: 'Linux/UNIX' },
  { imageId: 'ami-0a1b2c3d4e5f60005', name: 'debian-12-amd64-20241201-1948', description: 'Debian 12 (20241201-1948)', ownerId: '136693071363', creationDate: '2024-12-01T19:48:00.000Z', platformDetails: 'Linux/UNIX' },
]
