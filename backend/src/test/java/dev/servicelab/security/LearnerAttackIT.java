package dev.servicelab.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.servicelab.SandboxPlatformTestBase;
import dev.servicelab.check.CheckContext;
import dev.servicelab.check.CheckEngine;
import dev.servicelab.sandbox.PodExec;
import dev.servicelab.check.StepReport;
import dev.servicelab.lab.Lab;
import dev.servicelab.catalog.LabCatalogService;
import dev.servicelab.learning.LabSetup;
import dev.servicelab.lab.LabStep;
import dev.servicelab.provisioner.Kubeconfigs;
import dev.servicelab.provisioner.ProbePods;
import dev.servicelab.provisioner.Sandbox;
import dev.servicelab.provisioner.SandboxBootstrap;
import dev.servicelab.provisioner.SandboxProvisioner;
import dev.servicelab.provisioner.SandboxRequest;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A learner attacking their own sandbox, from their terminal pod (kubectl there acts as the learner
 * ServiceAccount, exactly as in the browser's terminal), on one real sandbox shared by every test.
 * Each attack must be refused with the refusal's own words (RBAC's "forbidden" or an admission
 * policy's "denied request"), not merely fail. Where the kit's Pod Security Admission would refuse
 * too, the attack is repeated in a namespace labelled "privileged" (what every namespace is on the
 * public rancher/k3s image) to prove the platform's own policy holds without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LearnerAttackIT extends SandboxPlatformTestBase {

    static final String LAB = "clusterip";
    static final String STEP = "expose-imperatively";
    /** A namespace where Pod Security Admission allows anything, created by the platform (the admin). */
    static final String OPEN = "psa-privileged";
    static final String GUARD = "servicelab-learner-guard";
    static final String INGRESS_GUARD = "servicelab-ingress-guard";
    static final String POD_SECURITY = "servicelab-pod-security";
    static final String SA = "/var/run/secrets/kubernetes.io/serviceaccount";

    @Autowired
    SandboxProvisioner provisioner;
    @Autowired
    LabCatalogService catalog;
    @Autowired
    CheckEngine engine;
    @Autowired
    LabSetup setup;

    String sandboxId;
    Sandbox sandbox;
    KubernetesClient admin;
    String toolbox;

    @BeforeAll
    void sandbox() {
        sandboxId = "attack-" + UUID.randomUUID().toString().substring(0, 8);
        sandbox = provisioner.create(new SandboxRequest(sandboxId, "mallory", LAB, 1), (id, phase) -> { });
        admin = Kubeconfigs.client(sandbox.kubeconfig());
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OPEN)
                .addToLabels("pod-security.kubernetes.io/enforce", "privileged").endMetadata().build()).serverSideApply();
        toolbox = admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(SandboxBootstrap.TERMINAL_POD).get()
                .getSpec().getContainers().get(0).getImage();
    }

    @AfterAll
    void deleteSandbox() {
        if (admin != null) {
            admin.close();
        }
        if (sandbox != null) {
            provisioner.delete(sandboxId);
        }
    }

    /** Runs a command in the learner's terminal pod, as the platform's terminal does. */
    private PodExec.Result learner(String command) {
        return PodExec.run(admin, SandboxBootstrap.NAMESPACE, SandboxBootstrap.TERMINAL_POD, Duration.ofSeconds(40),
                "bash", "-c", command);
    }

    private void refused(String command, String... expected) {
        PodExec.Result result = learner(command);
        assertThat(result.exitCode()).as("exit code of `%s` (stdout %s)", command, result.stdout()).isPositive();
        for (String text : expected) {
            assertThat(result.stderr()).as("what `%s` said", command).containsIgnoringCase(text);
        }
    }

    /** `kubectl apply` of a pod running the toolbox, with extra lines for its spec and its container. */
    private String podYaml(String namespace, String name, String specLines, String containerLines) {
        return "kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: "
                + namespace + "}\nspec:\n" + specLines + "  containers:\n  - name: c\n    image: " + toolbox
                + "\n    imagePullPolicy: IfNotPresent\n    command: [sleep, infinity]\n" + containerLines + "EOF";
    }

    // --- grading infrastructure is out of reach ---

    @Test
    @Order(1)
    void execIntoTheProbeIsDenied() {
        refused("kubectl -n servicelab-system exec probe-server -- sh -c 'echo owned'", "denied request", GUARD);
    }

    @Test
    @Order(1)
    void attachToTheProbeIsDenied() {
        refused("timeout 20 kubectl -n servicelab-system attach probe-server", "denied request", GUARD);
    }

    @Test
    @Order(1)
    void portForwardToTheProbeIsDenied() {
        refused("timeout 20 kubectl -n servicelab-system port-forward pod/probe-server 18099:80", "denied request", GUARD);
    }

    @Test
    @Order(1)
    void execIntoKubeSystemIsDenied() {
        refused("kubectl -n kube-system exec deploy/coredns -- /coredns -version", "denied request", GUARD);
    }

    @Test
    @Order(1)
    void logsOfTheProbeAndOfKubeSystemAreForbidden() {
        refused("kubectl -n servicelab-system logs probe-server", "forbidden", "pods/log");
        refused("kubectl -n kube-system logs deploy/coredns", "forbidden", "pods/log");
    }

    @Test
    @Order(1)
    void deletingOrPatchingTheProbeIsDenied() {
        refused("kubectl -n servicelab-system delete pod probe-server --wait=false", "denied request", GUARD);
        refused("kubectl -n servicelab-system patch pod probe-server -p '{\"spec\":{\"containers\":[{\"name\":\"probe\",\"image\":\"evil\"}]}}'",
                "denied request", GUARD);
        refused("kubectl -n servicelab-system delete pod namespace-binder --wait=false", "denied request", GUARD);
    }

    @Test
    @Order(1)
    void aLookalikeProbeCannotBeCreatedInThePlatformNamespace() {
        refused(podYaml("servicelab-system", "probe-server-2", "  automountServiceAccountToken: false\n", ""),
                "denied request", GUARD);
    }

    @Test
    @Order(1)
    void secretsOfTheSystemNamespacesAreForbidden() {
        refused("kubectl -n kube-system get secrets", "forbidden", "secrets");
        refused("kubectl -n servicelab-system get secrets", "forbidden", "secrets");
        refused("kubectl get secrets -A", "forbidden", "secrets");
    }

    @Test
    @Order(1)
    void tokensForSystemServiceAccountsAreForbidden() {
        refused("kubectl -n servicelab-system create token namespace-binder", "forbidden", "serviceaccounts/token");
        refused("kubectl -n kube-system create token coredns", "forbidden", "serviceaccounts/token");
    }

    @Test
    @Order(1)
    void impersonationIsForbidden() {
        // kubectl ignores its in-cluster configuration once --as is given, so name the server and token as an attacker would.
        String asLearner = "kubectl --server=https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT --token=\"$(cat " + SA + "/token)\" "
                + "--certificate-authority=" + SA + "/ca.crt ";
        refused(asLearner + "--as=system:admin -n kube-system get secrets", "forbidden", "impersonate");
        refused(asLearner + "--as=system:serviceaccount:servicelab-system:namespace-binder get pods", "forbidden",
                "impersonate");
        refused(asLearner + "--as=mallory --as-group=system:masters get pods", "forbidden", "impersonate");
    }

    // --- Pod Security, whatever the namespace labels ---

    @ParameterizedTest
    @Order(2)
    @ValueSource(strings = {"privileged", "hostNetwork", "hostPID", "hostPath", "hostPort", "capability"})
    void aDangerousPodIsRefusedInDefaultAndWherePodSecurityLabelsAllowIt(String attack) {
        String spec = switch (attack) {
            case "hostNetwork" -> "  hostNetwork: true\n";
            case "hostPID" -> "  hostPID: true\n";
            case "hostPath" -> "  volumes: [{name: root, hostPath: {path: /}}]\n";
            default -> "";
        };
        String container = switch (attack) {
            case "privileged" -> "    securityContext: {privileged: true}\n";
            case "hostPort" -> "    ports: [{containerPort: 8080, hostPort: 8080}]\n";
            case "capability" -> "    securityContext: {capabilities: {add: [SYS_ADMIN]}}\n";
            default -> "";
        };
        String name = "attack-" + attack.toLowerCase();
        // In default the kit's Pod Security Admission or the platform's policy refuses, whichever comes first.
        PodExec.Result inDefault = learner(podYaml("default", name, spec, container));
        assertThat(inDefault.exitCode()).isPositive();
        assertThat(inDefault.stderr()).containsAnyOf("violates PodSecurity", "denied request");
        // Where the labels say "privileged", only the platform's policy stands, and it refuses with its reason.
        refused(podYaml(OPEN, name, spec, container), "denied request", POD_SECURITY);
        assertThat(admin.pods().inNamespace(OPEN).withName(name).get()).isNull();
    }

    @Test
    @Order(2)
    void aDeploymentIsAcceptedButItsPrivilegedPodsAreRefused() {
        PodExec.Result created = learner("kubectl apply -f - <<'EOF'\napiVersion: apps/v1\nkind: Deployment\nmetadata: "
                + "{name: root-me, namespace: " + OPEN + "}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: root-me}}\n"
                + "  template:\n    metadata: {labels: {app: root-me}}\n    spec:\n      hostPID: true\n      containers:\n"
                + "      - name: c\n        image: " + toolbox + "\n        imagePullPolicy: IfNotPresent\n"
                + "        command: [sleep, infinity]\n        securityContext: {privileged: true}\nEOF");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.v1().events().inNamespace(OPEN)
                .list().getItems()).anySatisfy(event -> {
                    assertThat(event.getReason()).isEqualTo("FailedCreate");
                    assertThat(event.getInvolvedObject().getKind()).isEqualTo("ReplicaSet");
                    assertThat(event.getMessage()).contains(POD_SECURITY).contains("denied request");
                }));
        assertThat(admin.pods().inNamespace(OPEN).withLabel("app", "root-me").list().getItems()).isEmpty();
    }

    @Test
    @Order(2)
    void namespaceLabelsCannotBeChanged() {
        refused("kubectl label namespace default pod-security.kubernetes.io/enforce=privileged --overwrite", "forbidden");
        refused("kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: lax\n  labels: "
                + "{pod-security.kubernetes.io/enforce: privileged}\nEOF", "denied request", GUARD);
    }

    @Test
    @Order(2)
    void rbacObjectsCannotBeCreated() {
        refused("kubectl create clusterrolebinding me --clusterrole=cluster-admin "
                + "--serviceaccount=servicelab-system:learner", "forbidden", "clusterrolebindings");
        refused("kubectl -n default create rolebinding me --clusterrole=cluster-admin "
                + "--serviceaccount=servicelab-system:learner", "forbidden", "rolebindings");
        refused("kubectl create clusterrole more --verb=get --resource=secrets", "forbidden", "clusterroles");
    }

    @Test
    @Order(2)
    void theAdmissionPoliciesCannotBeEdited() {
        refused("kubectl delete validatingadmissionpolicy " + POD_SECURITY, "forbidden", "validatingadmissionpolicies");
        refused("kubectl delete validatingadmissionpolicybinding " + GUARD, "forbidden", "validatingadmissionpolicybindings");
        refused("kubectl delete validatingadmissionpolicybinding " + INGRESS_GUARD, "forbidden",
                "validatingadmissionpolicybindings");
    }

    @Test
    @Order(2)
    void objectsNothingInTheSandboxWouldActOnAreRefusedWithTheReason() {
        refused("kubectl -n default apply -f - <<'EOF'\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                + "metadata: {name: deny-all}\nspec: {podSelector: {}, policyTypes: [Ingress]}\nEOF",
                "denied request", GUARD, "not enforced in this sandbox");
        // Without the ingress addon (a lab that asks for it gets a controller and no such refusal).
        refused("kubectl -n default create ingress shop --rule='shop.example/=web:80'",
                "denied request", INGRESS_GUARD, "No ingress controller runs in this sandbox");
        assertThat(admin.network().v1().ingresses().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    @Order(2)
    void nodesCannotBeEdited() {
        refused("kubectl label nodes --all owned=yes", "forbidden", "nodes");
        refused("kubectl patch $(kubectl get nodes -o name | head -1) -p '{\"spec\":{\"unschedulable\":true}}'",
                "forbidden", "nodes");
        refused("kubectl delete $(kubectl get nodes -o name | head -1) --wait=false", "forbidden", "nodes");
        assertThat(admin.nodes().list().getItems()).allSatisfy(node ->
                assertThat(node.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE));
    }

    // --- the learner keeps full rights where they work ---

    @Test
    @Order(3)
    void inDefaultAndInTheirOwnNamespacesTheLearnerHasFullRights() {
        // A new namespace takes pods once the platform has given it its quota, within a second or two
        // (the refusal says "try again in a few seconds"): a learner retries, so does this.
        PodExec.Result made = learner("kubectl create namespace mine && for i in $(seq 1 30); do kubectl -n mine run web"
                + " --image=" + toolbox + " --image-pull-policy=IfNotPresent --command -- sh -c"
                + " 'echo hello-from-mine; sleep infinity' && break; sleep 1; done"
                + " && kubectl -n mine wait pod/web --for=condition=Ready --timeout=60s"
                + " && kubectl -n mine create secret generic s --from-literal=k=v");
        assertThat(made.exitCode()).as(made.stderr()).isZero();
        // The binder gives the learner logs and Secrets in their new namespace within moments.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            PodExec.Result logs = learner("kubectl -n mine logs web && kubectl -n mine get secret s -o name"
                    + " && kubectl -n mine exec web -- echo exec-works");
            assertThat(logs.exitCode()).as(logs.stderr()).isZero();
            assertThat(logs.stdout()).contains("hello-from-mine", "secret/s", "exec-works");
        });
        PodExec.Result inDefault = learner("kubectl -n default get secrets && kubectl -n default create configmap c"
                + " --from-literal=a=b && kubectl auth can-i get pods/log -n default");
        assertThat(inDefault.exitCode()).as(inDefault.stderr()).isZero();
        assertThat(inDefault.stdout()).contains("yes");
    }

    // --- a check cannot be forged through the probe ---

    @Test
    @Order(4)
    void aReplacedOrDeletedProbeIsRecreatedAndTheVerdictStaysTrue() {
        Lab lab = catalog.lab(LAB);
        LabStep step = lab.step(STEP).orElseThrow();
        setup.applyFiles(admin, lab, step.setup());
        CheckContext context = new CheckContext(sandbox, admin);
        String podName = ProbePods.name(dev.servicelab.provisioner.SandboxNode.Role.SERVER);
        String original = admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).get().getMetadata().getUid();

        // Suppose the guard were gone: a pod of the same name whose curl always answers success.
        admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).withGracePeriod(0).delete();
        admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).waitUntilCondition(p -> p == null
                || !original.equals(p.getMetadata().getUid()), 60, java.util.concurrent.TimeUnit.SECONDS);
        admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).resource(lyingProbe(podName)).create();
        admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName)
                .waitUntilReady(60, java.util.concurrent.TimeUnit.SECONDS);
        String liar = admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).get().getMetadata().getUid();
        PodExec.Result lie = PodExec.run(admin, SandboxBootstrap.NAMESPACE, podName, Duration.ofSeconds(10), "sh", "-c",
                "curl http://api.default.svc.cluster.local/");
        assertThat(lie.stdout()).as("the lookalike really lies").contains("pod: api-forged");

        // The check's probe is the platform's again: the Service does not exist, and the probe says so.
        PodExec.Result real = context.probe(null, Duration.ofSeconds(10), "curl -sS --max-time 3 http://api.default.svc.cluster.local/");
        assertThat(real.exitCode()).as(real.stdout()).isPositive();
        assertThat(real.stdout()).doesNotContain("api-forged");
        StepReport forged = engine.run(LAB, step, context, Duration.ofSeconds(4));
        assertThat(forged.passed()).as("the step was not done").isFalse();
        Pod recreated = admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).get();
        assertThat(recreated.getMetadata().getUid()).isNotEqualTo(liar);
        assertThat(ProbePods.trusted(admin, recreated)).isTrue();

        // A missing probe is made again, and a step really done passes.
        admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).withGracePeriod(0).delete();
        setup.applySolution(sandbox, admin, lab, step.solution().manifests(), step.solution().commands(),
                step.solution().actions());
        StepReport done = engine.run(LAB, step, context);
        assertThat(done.passed()).as(String.valueOf(done.results())).isTrue();
        assertThat(ProbePods.trusted(admin, admin.pods().inNamespace(SandboxBootstrap.NAMESPACE).withName(podName).get()))
                .isTrue();
    }

    private Pod lyingProbe(String name) {
        String fakeCurl = "mkdir -p /fake && printf '#!/bin/sh\\necho pod: api-forged\\necho\\nprintf __servicelab_status__200\\n'"
                + " > /fake/curl && chmod +x /fake/curl && exec sleep infinity";
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(SandboxBootstrap.NAMESPACE)
                .addToLabels("app.kubernetes.io/name", "servicelab-probe").endMetadata()
                .withNewSpec().withAutomountServiceAccountToken(false).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("probe").withImage(toolbox).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", fakeCurl).addNewEnv().withName("PATH").withValue("/fake:/usr/local/bin:/usr/bin:/bin")
                .endEnv().endContainer().endSpec().build();
    }

    @Test
    @Order(5)
    void onThePublicK3sImageThePlatformsPolicyIsTheOnlyPodSecurity() {
        Assumptions.abort("The public rancher/k3s image cannot be pulled here (no container registry). Without Pod "
                + "Security Admission configured, every namespace behaves like '" + OPEN + "' above, where the "
                + "platform's own ValidatingAdmissionPolicy refuses the same pods; SandboxBootstrap proves that on "
                + "every sandbox before handing it out.");
    }
}
