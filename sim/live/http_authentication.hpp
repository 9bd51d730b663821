#pragma once

// HTTP Basic authentication of frameworks, as Mesos's master offers it with `--credentials` and
// `--authenticate_http_frameworks` (realm "mesos-master-scheduler", Mesos's default basic HTTP
// authenticator).
//
// A credentials file is Mesos's JSON, `{"credentials":[{"principal":"p","secret":"s"}, ...]}`, or
// the legacy text form, one `principal secret` per line (blank lines skipped). A path may carry
// Mesos's `file://` prefix. Errors name the file and the line or JSON path; they never quote a
// secret.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "allocator/result.hpp"

namespace mesosim::live {

// The framework realm of Mesos's master (DEFAULT_HTTP_FRAMEWORK_AUTHENTICATION_REALM).
inline constexpr std::string_view kFrameworkAuthenticationRealm = "mesos-master-scheduler";
// The realm of its read-only endpoints (READONLY_HTTP_AUTHENTICATION_REALM).
inline constexpr std::string_view kReadOnlyAuthenticationRealm = "mesos-master-readonly";

// Principals and their secrets; at least one, principals unique.
struct Credentials {
  std::map<std::string, std::string> secrets;  // principal -> secret
};

// Parses a credentials file's text; `source` (the path) prefixes every error.
Result<Credentials> parse_credentials(std::string_view text, std::string_view source);
// Reads and parses `path` (`file://` stripped). An empty file is an error, as in Mesos ("must
// contain at least one credential").
Result<Credentials> read_credentials(std::string_view path);

// The principal an `Authorization` header value proves, or nullopt when it proves nothing: absent,
// not `Basic <base64>`, not base64, not `principal:secret`, an unknown principal or a wrong
// secret. As Mesos's BasicAuthenticator, a secret containing ':' cannot authenticate.
std::optional<std::string> authenticate_basic(std::optional<std::string_view> authorization,
                                              const Credentials& credentials);
// The `WWW-Authenticate` value a 401 of `realm` carries: `Basic realm="<realm>"`.
std::string basic_challenge(std::string_view realm);

}  // namespace mesosim::live
