package dev.relay.k8s.validation;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;

/**
 * Checks that a set of manifests holds together: every reference (ConfigMap, Secret, key, port, probe, selector,
 * Ingress backend, autoscaling target, network policy) points at something that exists, and the engine's own rules
 * hold (only the gateway is exposed, never an {@code /internal} path, {@code /internal} ports admit only the engine's
 * pods, hardened pods). {@link #problems()} lists every violation, one readable line each; none means valid.
 */
public final class ManifestChecker {

    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String GATEWAY = "observer-gateway";
    static final Set<String> SERVICES = Set.of("auth-service", "workspace-service", "delivery-service", GATEWAY);
    /** The services behind the gateway: their service port carries /internal routes. */
    static final Set<String> INTERNAL_SERVICES = Set.of("auth-service", "workspace-service", "delivery-service");
    static final Set<String> AUTOSCALED = Set.of("workspace-service", "delivery-service", GATEWAY);
    static final String WEBSOCKET_TIMEOUT = "3600";
    static final List<String> WEBSOCKET_PATHS = List.of("/v1/ws", "/v1/node/ws");
    static final int POSTGRES_PORT = 5432;

    private final List<HasMetadata> objects;
    private final List<String> problems = new ArrayList<>();

    public ManifestChecker(Collection<? extends HasMetadata> objects) {
        this.objects = List.copyOf(objects);
    }

    /** Every violation found, in a stable order; empty when the manifests are valid. */
    public List<String> problems() {
        problems.clear();
        checkUniqueNames();
        checkNamespaces();
        deployments().forEach(this::checkDeployment);
        of(Service.class).forEach(this::checkService);
        of(ConfigMap.class).forEach(this::checkConfigMapUrls);
        checkIngresses();
        checkAutoscalers();
        of(PodDisruptionBudget.class).forEach(this::checkDisruptionBudget);
        checkNetworkPolicies();
        return List.copyOf(problems);
    }

    // --- general ---------------------------------------------------------------------------------------------------

    private void checkUniqueNames() {
        Set<String> seen = new HashSet<>();
        for (HasMetadata o : objects) {
            String key = o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
            if (!seen.add(key)) {
                problem(o, "is defined twice");
            }
        }
    }

    private void checkNamespaces() {
        List<Namespace> namespaces = of(Namespace.class).toList();
        if (namespaces.size() != 1) {
            return;
        }
        String namespace = namespaces.get(0).getMetadata().getName();
        for (HasMetadata o : objects) {
            if (o instanceof Namespace || o instanceof PriorityClass) {
                continue;
            }
            if (!namespace.equals(o.getMetadata().getNamespace())) {
                problem(o, "is in namespace " + o.getMetadata().getNamespace() + ", not in " + namespace);
            }
        }
    }

    // --- Deployments -----------------------------------------------------------------------------------------------

    private void checkDeployment(Deployment d) {
        var spec = d.getSpec();
        Map<String, String> podLabels = podLabels(d);
        if (spec.getSelector() == null || !Selectors.matches(spec.getSelector(), podLabels)) {
            problem(d, "selector " + spec.getSelector() + " does not select its own pod template labels " + podLabels);
        }
        PodSpec pod = spec.getTemplate().getSpec();
        checkPodSecurity(d, pod);
        if (pod.getServiceAccountName() != null && find(ServiceAccount.class, pod.getServiceAccountName()).isEmpty()) {
            problem(d, "uses ServiceAccount " + pod.getServiceAccountName() + ", which does not exist");
        }
        if (pod.getPriorityClassName() != null && find(PriorityClass.class, pod.getPriorityClassName()).isEmpty()) {
            problem(d, "uses PriorityClass " + pod.getPriorityClassName() + ", which does not exist");
        }
        Map<String, Volume> volumes = new HashMap<>();
        for (Volume v : list(pod.getVolumes())) {
            volumes.put(v.getName(), v);
            if (v.getSecret() != null) {
                Optional<Secret> secret = find(Secret.class, v.getSecret().getSecretName());
                if (secret.isEmpty() && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
                    problem(d, "mounts Secret " + v.getSecret().getSecretName() + ", which does not exist");
                }
                secret.ifPresent(s -> list(v.getSecret().getItems()).stream()
                        .filter(item -> !secretKeys(s).contains(item.getKey()))
                        .forEach(item -> problem(d, "mounts key " + item.getKey() + " of Secret " + name(s)
                                + ", which has no such key")));
            }
            if (v.getConfigMap() != null && find(ConfigMap.class, v.getConfigMap().getName()).isEmpty()
                    && !Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
                problem(d, "mounts ConfigMap " + v.getConfigMap().getName() + ", which does not exist");
            }
        }
        if (pod.getContainers() == null || pod.getContainers().isEmpty()) {
            problem(d, "has no container");
            return;
        }
        for (Container c : pod.getContainers()) {
            checkContainer(d, c, volumes);
        }
    }

    private void checkPodSecurity(Deployment d, PodSpec pod) {
        PodSecurityContext podSecurity = pod.getSecurityContext();
        for (Container c : list(pod.getContainers())) {
            SecurityContext sc = c.getSecurityContext();
            boolean nonRoot = Boolean.TRUE.equals(sc != null ? sc.getRunAsNonRoot() : null)
                    || podSecurity != null && Boolean.TRUE.equals(podSecurity.getRunAsNonRoot());
            if (!nonRoot) {
                problem(d, "container " + c.getName() + " may run as root (runAsNonRoot is not true)");
            }
            if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                problem(d, "container " + c.getName() + " has a writable root filesystem (readOnlyRootFilesystem)");
            }
            if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                problem(d, "container " + c.getName() + " allows privilege escalation");
            }
            if (sc == null || sc.getCapabilities() == null || !list(sc.getCapabilities().getDrop()).contains("ALL")) {
                problem(d, "container " + c.getName() + " does not drop ALL capabilities");
            }
        }
    }

    private void checkContainer(Deployment d, Container c, Map<String, Volume> volumes) {
        String where = "container " + c.getName();
        if (c.getImage() == null || c.getImage().isBlank()) {
            problem(d, where + " has no image");
        }
        checkResources(d, where, c.getResources());
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (ContainerPort p : list(c.getPorts())) {
            if (p.getName() != null) {
                ports.put(p.getName(), p.getContainerPort());
            }
        }
        Set<Integer> numbers = new HashSet<>(ports.values());
        list(c.getPorts()).forEach(p -> numbers.add(p.getContainerPort()));

        Integer management = ports.get("management");
        if (management == null) {
            problem(d, where + " declares no port named management (health and metrics)");
        }
        checkProbe(d, where, "readinessProbe", c.getReadinessProbe(), "/q/health/ready", ports, numbers, management,
                true);
        checkProbe(d, where, "livenessProbe", c.getLivenessProbe(), "/q/health/live", ports, numbers, management,
                true);
        checkProbe(d, where, "startupProbe", c.getStartupProbe(), "/q/health/started", ports, numbers, management,
                false);

        for (EnvFromSource from : list(c.getEnvFrom())) {
            if (from.getConfigMapRef() != null && find(ConfigMap.class, from.getConfigMapRef().getName()).isEmpty()
                    && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                problem(d, where + " takes its environment from ConfigMap " + from.getConfigMapRef().getName()
                        + ", which does not exist");
            }
            if (from.getSecretRef() != null && find(Secret.class, from.getSecretRef().getName()).isEmpty()
                    && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                problem(d, where + " takes its environment from Secret " + from.getSecretRef().getName()
                        + ", which does not exist");
            }
        }
        for (EnvVar env : list(c.getEnv())) {
            checkEnv(d, where, env, c, volumes);
        }
        boolean writableTmp = false;
        for (VolumeMount mount : list(c.getVolumeMounts())) {
            Volume volume = volumes.get(mount.getName());
            if (volume == null) {
                problem(d, where + " mounts volume " + mount.getName() + ", which the pod does not declare");
            } else if ("/tmp".equals(mount.getMountPath()) && volume.getEmptyDir() != null) {
                writableTmp = true;
            }
        }
        if (!writableTmp) {
            problem(d, where + " has no emptyDir mounted at /tmp (its root filesystem is read-only)");
        }
    }

    private void checkResources(Deployment d, String where, ResourceRequirements resources) {
        for (String kind : List.of("requests", "limits")) {
            Map<String, Quantity> values = resources == null
                    ? null
                    : kind.equals("requests") ? resources.getRequests() : resources.getLimits();
            for (String resource : List.of("cpu", "memory")) {
                if (values == null || values.get(resource) == null) {
                    problem(d, where + " has no " + resource + " " + kind);
                }
            }
        }
    }

    private void checkProbe(Deployment d, String where, String kind, Probe probe, String path,
            Map<String, Integer> ports, Set<Integer> numbers, Integer management, boolean required) {
        if (probe == null) {
            if (required) {
                problem(d, where + " has no " + kind);
            }
            return;
        }
        if (probe.getHttpGet() == null) {
            problem(d, where + " " + kind + " is not an HTTP check of " + path);
            return;
        }
        if (!path.equals(probe.getHttpGet().getPath())) {
            problem(d, where + " " + kind + " checks " + probe.getHttpGet().getPath() + ", not " + path);
        }
        Integer port = resolve(probe.getHttpGet().getPort(), ports, numbers);
        if (port == null) {
            problem(d, where + " " + kind + " uses port " + text(probe.getHttpGet().getPort())
                    + ", which the container does not declare");
        } else if (management != null && !management.equals(port)) {
            problem(d, where + " " + kind + " uses port " + port + ", not the management port " + management);
        }
    }

    private void checkEnv(Deployment d, String where, EnvVar env, Container c, Map<String, Volume> volumes) {
        if (env.getValueFrom() != null) {
            var secretRef = env.getValueFrom().getSecretKeyRef();
            if (secretRef != null && !Boolean.TRUE.equals(secretRef.getOptional())) {
                Optional<Secret> secret = find(Secret.class, secretRef.getName());
                if (secret.isEmpty()) {
                    problem(d, where + " env " + env.getName() + " refers to Secret " + secretRef.getName()
                            + ", which does not exist");
                } else if (!secretKeys(secret.get()).contains(secretRef.getKey())) {
                    problem(d, where + " env " + env.getName() + " refers to key " + secretRef.getKey()
                            + " of Secret " + secretRef.getName() + ", which has no such key");
                }
            }
            var configMapRef = env.getValueFrom().getConfigMapKeyRef();
            if (configMapRef != null && !Boolean.TRUE.equals(configMapRef.getOptional())) {
                Optional<ConfigMap> map = find(ConfigMap.class, configMapRef.getName());
                if (map.isEmpty()) {
                    problem(d, where + " env " + env.getName() + " refers to ConfigMap " + configMapRef.getName()
                            + ", which does not exist");
                } else if (map.get().getData() == null || !map.get().getData().containsKey(configMapRef.getKey())) {
                    problem(d, where + " env " + env.getName() + " refers to key " + configMapRef.getKey()
                            + " of ConfigMap " + configMapRef.getName() + ", which has no such key");
                }
            }
            return;
        }
        // A file path inside a mounted Secret (e.g. the JWT signing key) must be one of that Secret's keys.
        String value = env.getValue();
        if (value == null || !value.startsWith("/")) {
            return;
        }
        for (VolumeMount mount : list(c.getVolumeMounts())) {
            String dir = mount.getMountPath().endsWith("/") ? mount.getMountPath() : mount.getMountPath() + "/";
            Volume volume = volumes.get(mount.getName());
            if (value.startsWith(dir) && volume != null && volume.getSecret() != null) {
                String key = value.substring(dir.length());
                find(Secret.class, volume.getSecret().getSecretName())
                        .filter(s -> !secretKeys(s).contains(key))
                        .ifPresent(s -> problem(d, where + " env " + env.getName() + " names file " + value
                                + ", but Secret " + name(s) + " mounted at " + mount.getMountPath()
                                + " has no key " + key));
            }
        }
    }

    // --- Services --------------------------------------------------------------------------------------------------

    private void checkService(Service s) {
        var spec = s.getSpec();
        if ("ExternalName".equals(spec.getType())) {
            if (spec.getExternalName() == null || spec.getExternalName().isBlank()) {
                problem(s, "is an ExternalName Service without externalName");
            }
            return;
        }
        List<Deployment> selected = deployments()
                .filter(d -> Selectors.matches(spec.getSelector(), podLabels(d)))
                .toList();
        if (selected.isEmpty()) {
            problem(s, "selector " + spec.getSelector() + " selects no Deployment's pods");
            return;
        }
        for (ServicePort port : list(spec.getPorts())) {
            IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
            for (Deployment d : selected) {
                boolean declared = containers(d).anyMatch(c -> {
                    Map<String, Integer> names = new HashMap<>();
                    Set<Integer> numbers = new HashSet<>();
                    list(c.getPorts()).forEach(p -> {
                        numbers.add(p.getContainerPort());
                        if (p.getName() != null) {
                            names.put(p.getName(), p.getContainerPort());
                        }
                    });
                    return resolve(target, names, numbers) != null;
                });
                if (!declared) {
                    problem(s, "port " + port.getName() + " targets " + text(target) + ", which Deployment "
                            + name(d) + " does not declare");
                }
            }
        }
    }

    /** Service URLs in a ConfigMap (http://name[:port], redis://name[:port]) must name a Service and one of its ports. */
    private void checkConfigMapUrls(ConfigMap map) {
        if (map.getData() == null) {
            return;
        }
        map.getData().forEach((key, value) -> {
            URI uri;
            try {
                uri = URI.create(value.trim());
            } catch (IllegalArgumentException e) {
                return;
            }
            if (uri.getScheme() == null || uri.getHost() == null || uri.getHost().contains(".")) {
                return; // not a URL, or an address outside the cluster's short Service names
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : switch (uri.getScheme()) {
                case "http" -> 80;
                case "https" -> 443;
                case "redis", "rediss" -> 6379;
                default -> -1;
            };
            Optional<Service> service = find(Service.class, uri.getHost());
            if (service.isEmpty()) {
                problem(map, key + " points at " + value + ", but there is no Service " + uri.getHost());
            } else if (port > 0 && list(service.get().getSpec().getPorts()).stream()
                    .noneMatch(p -> p.getPort() == port)) {
                problem(map, key + " points at " + value + ", but Service " + uri.getHost() + " has no port " + port);
            }
        });
    }

    // --- Ingress ---------------------------------------------------------------------------------------------------

    private void checkIngresses() {
        List<Ingress> ingresses = of(Ingress.class).toList();
        Map<String, Ingress> websocketPaths = new HashMap<>();
        for (Ingress ingress : ingresses) {
            if (ingress.getSpec().getDefaultBackend() != null) {
                checkBackend(ingress, "the default backend", ingress.getSpec().getDefaultBackend());
            }
            for (IngressRule rule : list(ingress.getSpec().getRules())) {
                if (rule.getHttp() == null) {
                    continue;
                }
                for (HTTPIngressPath path : list(rule.getHttp().getPaths())) {
                    String p = path.getPath() == null ? "/" : path.getPath();
                    if (p.startsWith("/internal")) {
                        problem(ingress,
                                "exposes path " + p + ": /internal routes must never be reachable from outside");
                    }
                    if (p.equals("/") || p.isEmpty()) {
                        problem(ingress, "routes every path (" + p + "), /internal included: route /health and /v1");
                    }
                    checkBackend(ingress, "path " + p, path.getBackend());
                    if (WEBSOCKET_PATHS.contains(p)) {
                        websocketPaths.put(p, ingress);
                    }
                }
            }
        }
        if (ingresses.isEmpty()) {
            return;
        }
        for (String path : WEBSOCKET_PATHS) {
            Ingress ingress = websocketPaths.get(path);
            if (ingress == null) {
                problems.add("Ingress: the WebSocket path " + path + " is routed by no Ingress of its own");
                continue;
            }
            Map<String, String> annotations = ingress.getMetadata().getAnnotations() == null
                    ? Map.of()
                    : ingress.getMetadata().getAnnotations();
            for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
                String value = annotations.get("nginx.ingress.kubernetes.io/" + timeout);
                if (value == null || Integer.parseInt(value.trim()) < Integer.parseInt(WEBSOCKET_TIMEOUT)) {
                    problem(ingress, "routes WebSocket path " + path + " with " + timeout + " " + value
                            + " (at least " + WEBSOCKET_TIMEOUT + " seconds expected)");
                }
            }
        }
    }

    private void checkBackend(Ingress ingress, String where, IngressBackend backend) {
        if (backend.getService() == null) {
            problem(ingress, where + " has a backend that is not a Service");
            return;
        }
        String target = backend.getService().getName();
        if (!GATEWAY.equals(target)) {
            problem(ingress, where + " routes to " + target + ": only " + GATEWAY + " may be exposed");
        }
        Optional<Service> service = find(Service.class, target);
        if (service.isEmpty()) {
            problem(ingress, where + " routes to Service " + target + ", which does not exist");
            return;
        }
        var port = backend.getService().getPort();
        boolean exists = port != null && list(service.get().getSpec().getPorts()).stream()
                .anyMatch(p -> port.getName() != null
                        ? port.getName().equals(p.getName())
                        : Objects.equals(port.getNumber(), p.getPort()));
        if (!exists) {
            problem(ingress, where + " routes to a port of Service " + target + " that it does not have: "
                    + (port == null ? "none" : port.getName() != null ? port.getName() : port.getNumber()));
        }
    }

    // --- autoscaling and disruption budgets ------------------------------------------------------------------------

    private void checkAutoscalers() {
        Set<String> scaled = new HashSet<>();
        for (HorizontalPodAutoscaler hpa : of(HorizontalPodAutoscaler.class).toList()) {
            var target = hpa.getSpec().getScaleTargetRef();
            Optional<Deployment> d = "Deployment".equals(target.getKind())
                    ? find(Deployment.class, target.getName())
                    : Optional.empty();
            if (d.isEmpty()) {
                problem(hpa, "scales " + target.getKind() + " " + target.getName() + ", which does not exist");
                continue;
            }
            scaled.add(target.getName());
            Integer min = hpa.getSpec().getMinReplicas();
            if (min == null || min < 1 || hpa.getSpec().getMaxReplicas() == null
                    || hpa.getSpec().getMaxReplicas() < min) {
                problem(hpa, "has replica bounds " + min + ".." + hpa.getSpec().getMaxReplicas());
            }
            if (d.get().getSpec().getReplicas() != null) {
                problem(d.get(), "sets replicas although HorizontalPodAutoscaler " + name(hpa)
                        + " owns them (every apply would reset the count)");
            }
            boolean cpuRequests = containers(d.get()).allMatch(c -> c.getResources() != null
                    && c.getResources().getRequests() != null && c.getResources().getRequests().get("cpu") != null);
            if (!cpuRequests) {
                problem(hpa, "scales on CPU, but Deployment " + target.getName() + " requests no CPU");
            }
        }
        for (String service : AUTOSCALED) {
            if (find(Deployment.class, service).isPresent() && !scaled.contains(service)) {
                problems.add("Deployment " + service + " has no HorizontalPodAutoscaler");
            }
        }
    }

    private void checkDisruptionBudget(PodDisruptionBudget pdb) {
        if (deployments().noneMatch(d -> Selectors.matches(pdb.getSpec().getSelector(), podLabels(d)))) {
            problem(pdb, "selects no Deployment's pods");
        }
    }

    // --- network policies ------------------------------------------------------------------------------------------

    private void checkNetworkPolicies() {
        List<NetworkPolicy> policies = of(NetworkPolicy.class).toList();
        for (NetworkPolicy policy : policies) {
            List<Deployment> selected = selectedBy(policy);
            if (selected.isEmpty()) {
                problem(policy, "selects no Deployment's pods");
            }
            for (NetworkPolicyIngressRule rule : list(policy.getSpec().getIngress())) {
                checkPeers(policy, "ingress", list(rule.getFrom()));
                for (NetworkPolicyPort port : list(rule.getPorts())) {
                    if (port.getPort() != null && port.getPort().getStrVal() != null && selected.stream()
                            .noneMatch(d -> containers(d).flatMap(c -> list(c.getPorts()).stream())
                                    .anyMatch(p -> port.getPort().getStrVal().equals(p.getName())))) {
                        problem(policy, "admits named port " + port.getPort().getStrVal()
                                + ", which none of its pods declares");
                    }
                }
            }
            for (NetworkPolicyEgressRule rule : list(policy.getSpec().getEgress())) {
                checkPeers(policy, "egress", list(rule.getTo()));
            }
        }
        if (policies.isEmpty()) {
            return;
        }
        // A default deny for every pod of the engine: policies below it only ever open.
        for (Deployment d : deployments().toList()) {
            boolean denied = policies.stream()
                    .filter(p -> Selectors.matches(p.getSpec().getPodSelector(), podLabels(d)))
                    .anyMatch(p -> list(p.getSpec().getPolicyTypes()).containsAll(List.of("Ingress", "Egress")));
            if (!denied) {
                problem(d, "is not isolated by a NetworkPolicy for both Ingress and Egress");
            }
            checkAdmitted(d, policies);
            checkNoDatabaseEgress(d, policies);
        }
    }

    private void checkPeers(NetworkPolicy policy, String direction, List<NetworkPolicyPeer> peers) {
        for (NetworkPolicyPeer peer : peers) {
            // A pod selector without a namespace selector means pods of this namespace: they must exist.
            if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null
                    && deployments().noneMatch(d -> Selectors.matches(peer.getPodSelector(), podLabels(d)))) {
                problem(policy, direction + " peer " + peer.getPodSelector() + " selects no Deployment's pods");
            }
        }
    }

    /**
     * Who may reach a pod's service port: for auth, workspace and delivery (their /internal routes) only pods of the
     * engine's services in this namespace; for the gateway only the ingress controller's pods in another namespace.
     */
    private void checkAdmitted(Deployment d, List<NetworkPolicy> policies) {
        String service = podLabels(d).get(NAME_LABEL);
        Integer http = containerPort(d, "http");
        if (service == null || http == null) {
            return;
        }
        for (NetworkPolicy policy : policies) {
            if (!Selectors.matches(policy.getSpec().getPodSelector(), podLabels(d))) {
                continue;
            }
            for (NetworkPolicyIngressRule rule : list(policy.getSpec().getIngress())) {
                if (!coversPort(rule.getPorts(), "http", http)) {
                    continue;
                }
                List<NetworkPolicyPeer> from = list(rule.getFrom());
                if (from.isEmpty()) {
                    problem(policy, "admits everyone to the http port of " + service);
                    continue;
                }
                for (NetworkPolicyPeer peer : from) {
                    if (INTERNAL_SERVICES.contains(service)) {
                        boolean ownPods = peer.getIpBlock() == null && peer.getNamespaceSelector() == null
                                && peer.getPodSelector() != null
                                && deployments().filter(other -> Selectors.matches(peer.getPodSelector(),
                                        podLabels(other)))
                                        .allMatch(other -> SERVICES.contains(podLabels(other).get(NAME_LABEL)))
                                && !Selectors.isEmpty(peer.getPodSelector());
                        if (!ownPods) {
                            problem(policy, "admits " + peerText(peer) + " to the /internal port of " + service
                                    + " (only the engine's own pods may reach it)");
                        }
                    } else if (GATEWAY.equals(service)) {
                        boolean ingressController = peer.getIpBlock() == null && peer.getNamespaceSelector() != null
                                && !Selectors.isEmpty(peer.getNamespaceSelector())
                                && peer.getPodSelector() != null && !Selectors.isEmpty(peer.getPodSelector());
                        if (!ingressController) {
                            problem(policy, "admits " + peerText(peer) + " to the gateway's public port "
                                    + "(only the ingress controller's pods may reach it)");
                        }
                    }
                }
            }
        }
    }

    /** Only the services that own a database may reach PostgreSQL: the gateway has none. */
    private void checkNoDatabaseEgress(Deployment d, List<NetworkPolicy> policies) {
        if (!GATEWAY.equals(podLabels(d).get(NAME_LABEL))) {
            return;
        }
        for (NetworkPolicy policy : policies) {
            if (!Selectors.matches(policy.getSpec().getPodSelector(), podLabels(d))) {
                continue;
            }
            for (NetworkPolicyEgressRule rule : list(policy.getSpec().getEgress())) {
                boolean outside = list(rule.getTo()).isEmpty()
                        || list(rule.getTo()).stream().anyMatch(peer -> peer.getIpBlock() != null);
                if (outside && coversPort(rule.getPorts(), null, POSTGRES_PORT)) {
                    problem(policy, "lets " + GATEWAY + " reach PostgreSQL (port " + POSTGRES_PORT
                            + "), which only the database owners may");
                }
            }
        }
    }

    private static boolean coversPort(List<NetworkPolicyPort> ports, String name, int number) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort port : ports) {
            IntOrString p = port.getPort();
            if (p == null) {
                return true;
            }
            if (p.getStrVal() != null && p.getStrVal().equals(name)) {
                return true;
            }
            if (p.getIntVal() != null) {
                int end = port.getEndPort() != null ? port.getEndPort() : p.getIntVal();
                if (number >= p.getIntVal() && number <= end) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Deployment> selectedBy(NetworkPolicy policy) {
        return deployments().filter(d -> Selectors.matches(policy.getSpec().getPodSelector(), podLabels(d))).toList();
    }

    private static String peerText(NetworkPolicyPeer peer) {
        if (peer.getIpBlock() != null) {
            return "ipBlock " + peer.getIpBlock().getCidr();
        }
        return (peer.getNamespaceSelector() != null ? "namespaces " + peer.getNamespaceSelector() + " " : "")
                + (peer.getPodSelector() != null ? "pods " + peer.getPodSelector() : "");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private <T extends HasMetadata> Stream<T> of(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast);
    }

    private Stream<Deployment> deployments() {
        return of(Deployment.class);
    }

    private <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        Predicate<T> named = o -> o.getMetadata().getName().equals(name);
        return of(type).filter(named).findFirst();
    }

    private static Map<String, String> podLabels(Deployment d) {
        var metadata = d.getSpec().getTemplate().getMetadata();
        return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
    }

    private static Stream<Container> containers(Deployment d) {
        return list(d.getSpec().getTemplate().getSpec().getContainers()).stream();
    }

    private static Integer containerPort(Deployment d, String name) {
        return containers(d).flatMap(c -> list(c.getPorts()).stream())
                .filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(null);
    }

    private static Set<String> secretKeys(Secret s) {
        Set<String> keys = new HashSet<>();
        if (s.getData() != null) {
            keys.addAll(s.getData().keySet());
        }
        if (s.getStringData() != null) {
            keys.addAll(s.getStringData().keySet());
        }
        return keys;
    }

    private static Integer resolve(IntOrString port, Map<String, Integer> names, Set<Integer> numbers) {
        if (port == null) {
            return null;
        }
        if (port.getIntVal() != null) {
            return numbers.contains(port.getIntVal()) ? port.getIntVal() : null;
        }
        return names.get(port.getStrVal());
    }

    private static String text(IntOrString value) {
        return value == null ? "none" : value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
    }

    private static String name(HasMetadata o) {
        return o.getMetadata().getName();
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }

    private void problem(HasMetadata o, String message) {
        problems.add(o.getKind() + " " + o.getMetadata().getName() + ": " + message);
    }
}
