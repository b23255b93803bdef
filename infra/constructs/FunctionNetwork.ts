import { Fn, Validations } from 'aws-cdk-lib';
import {
  InterfaceVpcEndpoint,
  type InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  type SubnetSelection,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** The network the Lambdas run in, by id. */
export interface FunctionNetworkProps {
  readonly vpcId: string;
  /** Subnets for the functions' network interfaces (and the endpoints'), at most one per AZ. */
  readonly subnetIds: readonly string[];
  /** Security groups of the functions; none: the construct creates one. */
  readonly securityGroupIds: readonly string[];
  /** AWS services to reach through interface endpoints with private DNS, in those subnets. */
  readonly endpoints: readonly InterfaceVpcEndpointAwsService[];
}

/**
 * An existing VPC, subnets and security groups, imported from their ids alone, so `cdk synth` looks
 * nothing up and needs no credentials; the functions' own security group when none is given; and
 * interface endpoints, so the functions reach SQS and Secrets Manager without a NAT gateway.
 *
 * The created group has no inbound rule and two outbound ones, to any address: TCP 27015-27017
 * (MongoDB Atlas listens there; DocumentDB and mongod on 27017) and 443 (AWS APIs, through the
 * endpoints or a NAT gateway). DNS needs no rule: security groups do not filter the VPC resolver,
 * which answers the SRV and TXT lookups of `mongodb+srv://` URIs.
 */
export class FunctionNetwork extends Construct {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroups: readonly ISecurityGroup[];
  /** The group the construct created, when none was given; the database side lets it in. */
  readonly createdSecurityGroup: SecurityGroup | undefined;
  readonly endpoints: readonly InterfaceVpcEndpoint[];

  constructor(scope: Construct, id: string, props: FunctionNetworkProps) {
    super(scope, id);
    // An import needs zones, though nothing here reads them: the region's, resolved at deploy time.
    this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    this.subnets = {
      subnets: props.subnetIds.map((subnetId) => Subnet.fromSubnetId(this, subnetId, subnetId)),
    };
    const byIdOnly =
      'The functions and the endpoints take the subnets by id; nothing reads zones or route tables.';
    Validations.of(this).acknowledge(
      {
        id: 'Annotation::@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
        reason: byIdOnly,
      },
      { id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId', reason: byIdOnly },
    );
    this.createdSecurityGroup =
      props.securityGroupIds.length > 0 ? undefined : this.createSecurityGroup();
    // Groups we do not own are never changed: rules are added to our side only.
    this.securityGroups = this.createdSecurityGroup
      ? [this.createdSecurityGroup]
      : props.securityGroupIds.map((groupId) =>
          SecurityGroup.fromSecurityGroupId(this, groupId, groupId, { mutable: false }),
        );
    this.endpoints = props.endpoints.map((service) => {
      // `open: false`: the default rule would need the VPC's CIDR, which an id does not give.
      const endpoint = new InterfaceVpcEndpoint(this, `${service.shortName}Endpoint`, {
        vpc: this.vpc,
        service,
        subnets: this.subnets,
        privateDnsEnabled: true,
        open: false,
      });
      for (const group of this.securityGroups) {
        endpoint.connections.allowDefaultPortFrom(
          Peer.securityGroupId(group.securityGroupId),
          'HTTPS from the order service Lambdas',
        );
      }
      return endpoint;
    });
  }

  private createSecurityGroup(): SecurityGroup {
    const group = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Order service Lambdas: MongoDB and HTTPS out, nothing in',
      allowAllOutbound: false,
    });
    group.addEgressRule(
      Peer.anyIpv4(),
      Port.tcpRange(27015, 27017),
      'MongoDB: Atlas 27015-27017, DocumentDB and mongod 27017',
    );
    group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs: SQS, Secrets Manager');
    return group;
  }
}
