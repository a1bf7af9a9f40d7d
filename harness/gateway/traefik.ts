import type { PlanStep } from '../model/plan.js';

/**
 * Traefik v3.6.12, a Gateway API (standard channel) and Ingress controller in one Go program
 * (https://github.com/traefik/traefik/releases/tag/v3.6.12). Its go.mod requires sigs.k8s.io/gateway-api v1.4.0, the
 * Gateway API release whose CRDs it is built against, so kconn installs that release's standard channel.
 */
export const TRAEFIK_VERSION = '3.6.12';
export const TRAEFIK_IMAGE = `docker.io/library/traefik:v${TRAEFIK_VERSION}`;
export const GATEWAY_API_VERSION = '1.4.0';

/** The standard channel of the Gateway API release: its CRDs only (https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api). */
export function gatewayApiCrdsUrl(version: string = GATEWAY_API_VERSION): string {
  return `https://github.com/kubernetes-sigs/gateway-api/releases/download/v${version}/standard-install.yaml`;
}

export const GATEWAY_NAMESPACE = 'kconn-gateway';
/** The phase of the run's timings the install steps count to. */
export const GATEWAY_PHASE = 'gateway install';
/** The Service in front of Traefik: what suites send to (`to: {service: kconn-gateway, namespace: kconn-gateway}`). */
export const GATEWAY_SERVICE = 'kconn-gateway';
/** The GatewayClass and IngressClass kconn makes: Gateways and Ingresses name it. */
export const GATEWAY_CLASS = 'kconn';

/**
 * Traefik's entry points, in the container; a Gateway's listener port must be one of these (Traefik maps a listener to
 * the entry point of its port: https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-gateway/).
 * The Service exposes them as 80 and 443.
 */
export const GATEWAY_PORTS = { http: { listener: 8000, service: 80 }, https: { listener: 8443, service: 443 } } as const;

/** Traefik's own names for its controllers (pkg/provider/kubernetes/gateway/kubernetes.go, pkg/provider/kubernetes/ingress/kubernetes.go). */
const GATEWAY_CONTROLLER = 'traefik.io/gateway-controller';
const INGRESS_CONTROLLER = 'traefik.io/ingress-controller';

const labels = { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/managed-by': 'kconn' };

/** What Traefik's two Kubernetes providers read and write (Traefik's kubernetes-gateway-rbac.yml, and Ingress's). */
function clusterRole(): Record<string, unknown> {
  const read = ['get', 'list', 'watch'];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'kconn-traefik', labels },
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      // The Ingress provider's cluster-scope informer lists nodes (pkg/provider/kubernetes/ingress/client.go); without
      // this it never syncs and serves no Ingress (seen on kind: "nodes is forbidden", every Ingress request a 404).
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['services', 'secrets', 'configmaps', 'endpoints'], verbs: read },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: read },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
      {
        apiGroups: ['gateway.networking.k8s.io'],
        resources: ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants', 'backendtlspolicies'],
        verbs: read,
      },
      {
        apiGroups: ['gateway.networking.k8s.io'],
        resources: ['gatewayclasses/status', 'gateways/status', 'httproutes/status', 'grpcroutes/status', 'referencegrants/status', 'backendtlspolicies/status'],
        verbs: ['update'],
      },
    ],
  };
}

/** Traefik's objects: its namespace, account and rights, the Deployment, the Service in front, the two classes. Pure. */
export function traefikObjects(image: string): Record<string, unknown>[] {
  const metadata = (name: string): Record<string, unknown> => ({ name, namespace: GATEWAY_NAMESPACE, labels });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: GATEWAY_NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata('traefik') },
    clusterRole(),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kconn-traefik', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kconn-traefik' },
      subjects: [{ kind: 'ServiceAccount', name: 'traefik', namespace: GATEWAY_NAMESPACE }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata('traefik'),
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'traefik',
            containers: [
              {
                name: 'traefik',
                image,
                args: [
                  `--entryPoints.web.address=:${GATEWAY_PORTS.http.listener}`,
                  `--entryPoints.websecure.address=:${GATEWAY_PORTS.https.listener}`,
                  // An Ingress's spec.tls only loads its certificate into Traefik; TLS on the HTTPS entry point is what
                  // makes it terminate there, as Ingress users expect (docs/content/reference/routing-configuration/
                  // kubernetes/ingress.md, "Enabling TLS via HTTP Options on Entrypoint"). Gateway HTTPS listeners
                  // are unaffected; an HTTP listener may not sit on this entry point (pkg/provider/kubernetes/gateway).
                  '--entryPoints.websecure.http.tls=true',
                  '--providers.kubernetesgateway=true',
                  // The Gateways' status.addresses: the Service in front of Traefik.
                  `--providers.kubernetesgateway.statusaddress.service.name=${GATEWAY_SERVICE}`,
                  `--providers.kubernetesgateway.statusaddress.service.namespace=${GATEWAY_NAMESPACE}`,
                  '--providers.kubernetesingress=true',
                  `--providers.kubernetesingress.ingressclass=${GATEWAY_CLASS}`,
                  '--ping=true',
                  '--ping.entryPoint=web',
                  '--log.level=INFO',
                ],
                ports: [
                  { name: 'web', containerPort: GATEWAY_PORTS.http.listener },
                  { name: 'websecure', containerPort: GATEWAY_PORTS.https.listener },
                ],
                readinessProbe: { httpGet: { path: '/ping', port: GATEWAY_PORTS.http.listener }, periodSeconds: 2 },
                securityContext: { runAsUser: 65532, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(GATEWAY_SERVICE),
      spec: {
        selector: { 'app.kubernetes.io/name': 'traefik' },
        ports: [
          { name: 'web', port: GATEWAY_PORTS.http.service, targetPort: GATEWAY_PORTS.http.listener },
          { name: 'websecure', port: GATEWAY_PORTS.https.service, targetPort: GATEWAY_PORTS.https.listener },
        ],
      },
    },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS, labels }, spec: { controllerName: GATEWAY_CONTROLLER } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: GATEWAY_CLASS, labels }, spec: { controller: INGRESS_CONTROLLER } },
  ];
}

/**
 * What `kconn up` does for a topology's `spec.gateway` in each cluster, after its CNI is ready: the Gateway API CRDs,
 * Traefik's image into the nodes when the host has it, Traefik's objects, then Traefik ready and the GatewayClass
 * accepted (Traefik's gateway provider answers). Pure.
 */
export function traefikSteps(image: string = TRAEFIK_IMAGE): PlanStep[] {
  const steps: PlanStep[] = [
    // Server-side: the CRDs are larger than client-side apply's last-applied annotation allows.
    { action: 'apply', summary: `Gateway API v${GATEWAY_API_VERSION} CRDs (standard channel)`, url: gatewayApiCrdsUrl(), serverSide: true },
    {
      action: 'wait',
      summary: 'wait for the HTTPRoute CRD to be established',
      resource: 'customresourcedefinition',
      name: 'httproutes.gateway.networking.k8s.io',
      condition: 'Established',
      timeout: '1m',
    },
    { action: 'load-images', summary: `load ${image} into the nodes when the host has it`, images: [image] },
    ...traefikObjects(image).map((object): PlanStep => ({
      action: 'apply-object',
      summary: `Traefik ${String(object['kind'])} ${String((object['metadata'] as Record<string, unknown>)['name'])}`,
      object,
    })),
    { action: 'wait', summary: 'wait for the Traefik rollout', resource: 'deployment', namespace: GATEWAY_NAMESPACE, name: 'traefik', condition: 'rollout-complete', timeout: '3m' },
    { action: 'wait', summary: `wait for GatewayClass ${GATEWAY_CLASS} to be accepted by Traefik`, resource: 'gatewayclass', name: GATEWAY_CLASS, condition: 'Accepted', timeout: '2m' },
  ];
  // Their time is the gateway's in the run's timings and metrics, not the CNI's.
  return steps.map((s) => ({ ...s, phase: GATEWAY_PHASE }));
}
