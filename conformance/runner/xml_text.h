// rsmkit conformance runner: escaping for the XML and HTML reports.
#ifndef RSMC_RUNNER_XML_TEXT_H
#define RSMC_RUNNER_XML_TEXT_H

#include <string>

namespace rsmc {

// Escapes markup characters; control characters XML 1.0 forbids and bytes
// that are not valid UTF-8 become U+FFFD, so the document always parses.
// In attributes (attr = true) newlines and tabs are written as references.
std::string xml_escape(const std::string &s, bool attr = false);

}  // namespace rsmc

#endif  // RSMC_RUNNER_XML_TEXT_H
