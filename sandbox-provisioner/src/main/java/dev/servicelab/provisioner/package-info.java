/**
 * The sandbox provisioner: creates, finds, freezes, saves and deletes learners' clusters
 * ({@code SandboxProvisioner}, with the {@code docker} and {@code kubernetes} implementations), and
 * manages their lifecycle through a ledger ({@code SandboxManager}: warm pool, limits, queue, idle and
 * time limits, hibernation, re-attach). {@code kit} finds the offline-built images; {@code flows}
 * reads what the node observed. Knows nothing of the server that uses it.
 */
package dev.servicelab.provisioner;
