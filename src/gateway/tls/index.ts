/** The local certificate authority for mTLS (`localagent certs`). */
export { createCertificates, createClientCertificate, type CertificateSet, type ClientSpec, type CreateCertificatesOptions, type IssuedCertificate } from './createCertificates.js';
